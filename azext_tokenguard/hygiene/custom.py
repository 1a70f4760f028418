"""Glue for az tokenguard status, scan and logout --all: az's side to hygiene/."""
import os
import time

from knack.log import get_logger

from azext_tokenguard import az_profile
from azext_tokenguard._format import printable
from azext_tokenguard.az_command import az_command
from azext_tokenguard.guard import az_files
from azext_tokenguard.guard.errors import FindingsError, RefusedError
from azext_tokenguard.hygiene.status import build_status
from azext_tokenguard.shared_glue import cannot_write, plain_tsv, refuse_in_read_only, transform_result

logger = get_logger(__name__)


@az_command
def show_status(cmd):
    from azext_tokenguard.guardcmd.use import shell_selection
    # This shell's selection (az tokenguard use), unless the command names its own --subscription.
    selected, selection = (None, None) if cmd.cli_ctx.data.get("subscription_id") else \
        shell_selection(os.environ, az_files.config_dir())
    account = az_profile.current_account(cmd.cli_ctx, selected)
    from azext_tokenguard.vault.store import describe as describe_vault
    config_dir, encrypted, platform = az_profile.token_cache_settings(cmd.cli_ctx)
    status = build_status(account, cmd.cli_ctx.cloud.name, config_dir, encrypted, platform, selection=selection,
                          vault=describe_vault(config_dir, time.time()))
    _check_ci_user(status.identity, config_dir)
    if plain_tsv(cmd):  # the nested result would print mostly empty columns: the table's row, flat, in order
        from azext_tokenguard._format import status_table
        transform_result(cmd.cli_ctx, lambda result: status_table(result)[0])
    return status


@az_command
def scan(paths=None, fail_on=None, sarif=None):
    from azext_tokenguard.hygiene import scan as cache_scan
    from azext_tokenguard.hygiene import machine
    from azext_tokenguard.hygiene import token_files
    roots = token_files.scan_roots(az_files.config_dir(), os.path.expanduser("~"), paths or (),
                                   machine.passwd_lines(), machine.home_listing(), readable=machine.readable)
    report = cache_scan.scan_paths(roots, time.time(), os.environ)
    if sarif:
        _write_sarif(sarif, report["findings"])
    if fail_on and cache_scan.severity_at_least(report["findings"], fail_on):
        _fail_on_findings(report["findings"], fail_on)
    return report


def _write_sarif(path, findings):
    import json
    from azext_tokenguard.hygiene.sarif import to_sarif
    try:
        az_files.write_private_file(path, json.dumps(to_sarif(findings, _version()), indent=2).encode())
    except OSError as error:
        raise cannot_write(path, error) from None


def _fail_on_findings(findings, level):
    from azext_tokenguard.hygiene.scan import SEVERITIES
    gating = [f for f in findings if SEVERITIES.index(f["severity"]) >= SEVERITIES.index(level)]
    for finding in gating:  # the report is not printed when the command fails, so say what was found
        logger.warning("%s %s %s: %s", finding["severity"].upper(), finding["id"], printable(finding["path"]),
                       printable(finding["message"]))
    raise FindingsError(f"{len(gating)} finding(s) at severity {level} or above.",
                        recommendation="Fix them as each finding says, or run 'az tokenguard logout --all'.")


def _version():
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("tokenguard")
    except PackageNotFoundError:
        return "0.0.0"


@az_command
def logout(cmd, all_identities=False, dry_run=False, include_other_tools=False,  # pylint: disable=unused-argument
           yes=False):
    """--all is required (_validators.validate_logout_all): only signing everyone out is offered."""
    refuse_in_read_only("tokenguard logout")
    from azext_tokenguard.hygiene.logout import logout_all
    return logout_all(cmd.cli_ctx, az_files.config_dir(), dry_run=dry_run, include_other_tools=include_other_tools,
                      yes=yes)


def _check_ci_user(identity, config_dir):
    """A user's refresh token on a build agent: the same warning, or refusal, as the guard gives."""
    from azext_tokenguard.guard.policy import RULE_DENY, load_policy
    from azext_tokenguard.guard.signin import ci_user_message, detect_ci
    ci_name = detect_ci(os.environ)
    if not ci_name or identity.type != "user":
        return
    if load_policy(config_dir).ci_user_login == RULE_DENY:
        raise RefusedError(ci_user_message(ci_name, identity.name, refused=True),
                           recommendation="Run 'az logout', then sign in with a service principal or managed "
                                          "identity.")
    logger.warning(ci_user_message(ci_name, identity.name, refused=False))
