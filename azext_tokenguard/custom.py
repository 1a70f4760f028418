"""Command implementations: thin glue between az (through az_profile) and the pure modules."""
import datetime
import os
import sys
import time

from azure.cli.core.azclierror import (InvalidArgumentValueError, MutuallyExclusiveArgumentError,
                                       RequiredArgumentMissingError, ValidationError)
from knack.log import get_logger

from azext_tokenguard import az_profile, jwt_inspect, resources
from azext_tokenguard.durations import DurationError, format_duration, parse_duration
from azext_tokenguard.status_report import build_status
from azext_tokenguard.token_lifetime import LifetimeUnavailableError, obtain

logger = get_logger(__name__)


def show_status(cmd):
    account = az_profile.current_account(cmd.cli_ctx)
    config_dir, encrypted, platform = az_profile.token_cache_settings(cmd.cli_ctx)
    status = build_status(account, cmd.cli_ctx.cloud.name, config_dir, encrypted, platform)
    _check_ci_user(status["identity"], config_dir)
    return status


def _check_ci_user(identity, config_dir):
    """A user's refresh token on a build agent: the same warning, or refusal, as the guard gives."""
    from azext_tokenguard.guard.policy import RULE_DENY, load_policy
    from azext_tokenguard.guard.signin import ci_user_message, detect_ci
    ci_name = detect_ci(os.environ)
    if not ci_name or identity["type"] != "user":
        return
    if load_policy(config_dir).ci_user_login == RULE_DENY:
        raise ValidationError(ci_user_message(ci_name, identity["name"], refused=True),
                              recommendation="Run 'az logout', then sign in with a service principal or managed "
                                             "identity.")
    logger.warning(ci_user_message(ci_name, identity["name"], refused=False))


# --- get-token ----------------------------------------------------------------------------------------

def get_token(cmd, resource=None, scopes=None, subscription=None, tenant=None, min_validity=None,
              list_resources=False):
    cloud_name, endpoints, suffixes = az_profile.cloud_endpoints(cmd.cli_ctx)
    if list_resources:
        return resources.resource_table(endpoints, suffixes, cloud_name)
    wanted_seconds = _min_validity_seconds(min_validity)
    resource, scopes = _resource_and_scopes(resource, scopes, endpoints, suffixes, cloud_name)
    if subscription and tenant:
        raise MutuallyExclusiveArgumentError("--subscription and --tenant cannot be used together.",
                                             recommendation="Pass one of them, as with az account get-access-token.")
    token, expires_on, source, found = _obtain_token(cmd.cli_ctx, scopes, subscription, tenant, wanted_seconds)
    summary = _checked_summary(token, resource)
    logger.info("Token for %s from %s: expires %s (%s left).", summary["audience"], source,
                summary["expiresAt"], format_duration(max(summary["secondsRemaining"] or 0, 0)))
    return _access_token_result(token, expires_on, found, summary, source)


def _obtain_token(cli_ctx, scopes, subscription, tenant, wanted_seconds):
    """A token with at least wanted_seconds left: the cached one, else a newly issued one.
    Returns (token, expires_on, source, {'subscription', 'tenant'} az reported)."""
    found = {}

    def cached():
        token, expires_on, found["subscription"], found["tenant"] = az_profile.cached_token(
            cli_ctx, scopes, subscription, tenant)
        return token, _true_expiry(token, expires_on)

    def fresh():
        logger.info("The cached token has less than %s left; requesting a new one.", format_duration(wanted_seconds))
        token, expires_on = az_profile.fresh_token(cli_ctx, scopes, subscription, tenant)
        return token, _true_expiry(token, expires_on)

    try:
        token, expires_on, source = obtain(cached, fresh, wanted_seconds, time.time)
    except LifetimeUnavailableError as error:
        raise ValidationError(
            f"No token with {format_duration(error.wanted)} left could be obtained: the identity provider "
            f"issued one with {format_duration(max(error.longest, 0))} left at most.",
            recommendation=f"Ask for --min-validity {max(error.longest, 0)}s or less, or fetch a new token "
                           "in your script before that time runs out.") from None
    return token, expires_on, source, found


def _min_validity_seconds(min_validity):
    if min_validity is None:
        return 0
    try:
        return parse_duration(min_validity)
    except DurationError as error:
        raise InvalidArgumentValueError(f"--min-validity: {error}",
                                        recommendation="For example: --min-validity 45m") from None


def _resource_and_scopes(resource, scopes, endpoints, suffixes, cloud_name):
    """Resolve --resource (alias or URI) or --scope before any request, so mix-ups fail fast."""
    if resource and scopes:
        raise MutuallyExclusiveArgumentError("--resource and --scope cannot be used together.",
                                             recommendation="Use --resource for a resource, or --scope for "
                                                            "explicit scopes.")
    if scopes:
        return resources.resource_of_scopes(scopes), scopes
    try:
        uri = resources.resolve_resource(resource or "arm", endpoints, suffixes, cloud_name)
    except resources.ResourceError as error:
        raise InvalidArgumentValueError(str(error), recommendation="Run 'az tokenguard get-token "
                                                                   "--list-resources' to see the aliases.") from None
    return uri, resources.scopes_for_resource(uri)


def _true_expiry(token, expires_on):
    """MSAL counts from expires_in; the token's own exp claim is what the resource checks. Trust the earlier."""
    try:
        exp = jwt_inspect.decode_unverified(token)[1].get("exp")
    except jwt_inspect.TokenFormatError:
        return expires_on
    return min(expires_on, int(exp)) if isinstance(exp, (int, float)) else expires_on


def _checked_summary(token, resource):
    try:
        claims = jwt_inspect.decode_unverified(token)[1]
    except jwt_inspect.TokenFormatError:
        logger.warning("The token is not a JWT, so its audience and lifetime cannot be checked here.")
        return {"audience": None, "scopes": [], "roles": [], "identityType": "unknown", "expiresAt": None,
                "secondsRemaining": None}
    summary = jwt_inspect.token_summary(claims, time.time())
    summary.pop("tenant", None)  # the result already has az's own 'tenant' key
    if resource and not resources.audience_matches(resource, summary["audience"]):
        raise ValidationError(f"The token that came back is for audience '{summary['audience']}', not for "
                              f"'{resource}' as asked.",
                              recommendation="Check the resource or scope you passed; no token was returned.")
    return summary


def _access_token_result(token, expires_on, found, summary, source):
    """Every key of `az account get-access-token`, then the secret-free summary."""
    result = {
        "tokenType": "Bearer",
        "accessToken": token,
        "expires_on": expires_on,
        "expiresOn": datetime.datetime.fromtimestamp(expires_on).strftime("%Y-%m-%d %H:%M:%S.%f"),
        "tenant": found.get("tenant"),
    }
    if found.get("subscription"):
        result["subscription"] = found["subscription"]
    result.update(summary)
    result["tokenSource"] = source
    return result


# --- decode -------------------------------------------------------------------------------------------

def decode_token(token=None, file=None):
    text = _token_text(token, file)
    try:
        return jwt_inspect.inspect_token(text, time.time())
    except jwt_inspect.TokenFormatError as error:
        raise InvalidArgumentValueError(str(error), recommendation="Pipe the token in: az account "
                                        "get-access-token --query accessToken -o tsv | az tokenguard decode") from None


def _token_text(token, file):
    if token is not None and file is not None:
        raise MutuallyExclusiveArgumentError("--token and --file cannot be used together.",
                                             recommendation="Pass the token one way only.")
    if token is not None:
        return token
    limit = jwt_inspect.MAX_TOKEN_CHARS + 1  # read no more than a token can be: the decoder reports the rest
    if file is not None:
        return _read_token_file(file, limit)
    if sys.stdin is None or sys.stdin.isatty():
        raise RequiredArgumentMissingError("No token given.", recommendation="Pass --token, --file, or pipe the "
                                                                             "token into standard input.")
    return sys.stdin.buffer.read(limit)


def _read_token_file(path, limit):
    from azure.cli.core.azclierror import FileOperationError
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError as error:
        raise FileOperationError(f"Cannot read {path}: {error.strerror}.",
                                 recommendation="Check the path passed to --file.") from None


# --- scan ---------------------------------------------------------------------------------------------

def scan(paths=None, fail_on=None, sarif=None):
    from azext_tokenguard import cache_scan, machine, token_files
    roots = token_files.scan_roots(az_profile.config_dir(), os.path.expanduser("~"), paths or (),
                                   machine.passwd_lines(), machine.home_listing(), readable=machine.readable)
    report = cache_scan.scan_paths(roots, time.time(), os.environ)
    if sarif:
        _write_sarif(sarif, report["findings"])
    if fail_on and cache_scan.severity_at_least(report["findings"], fail_on):
        _fail_on_findings(report["findings"], fail_on)
    return report


def _write_sarif(path, findings):
    import json
    from azext_tokenguard.cleanup import write_private_file_atomic
    from azext_tokenguard.sarif import to_sarif
    try:
        write_private_file_atomic(path, json.dumps(to_sarif(findings, _version()), indent=2).encode())
    except OSError as error:
        raise _cannot_write(path, error) from None


def _fail_on_findings(findings, level):
    from azure.cli.core.azclierror import UnclassifiedUserFault
    from azext_tokenguard.cache_scan import SEVERITIES
    gating = [f for f in findings if SEVERITIES.index(f["severity"]) >= SEVERITIES.index(level)]
    for finding in gating:  # the report is not printed when the command fails, so say what was found
        logger.warning("%s %s %s: %s", finding["severity"].upper(), finding["id"], finding["path"], finding["message"])
    raise UnclassifiedUserFault(f"{len(gating)} finding(s) at severity {level} or above.",
                                recommendation="Fix them as each finding says, or run 'az tokenguard logout --all'.")


def _version():
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("tokenguard")
    except PackageNotFoundError:
        return "0.0.0"


# --- logout --all -------------------------------------------------------------------------------------

def logout(cmd, all_identities=False, dry_run=False, include_other_tools=False, yes=False):
    from azext_tokenguard import cleanup
    if not all_identities:
        raise RequiredArgumentMissingError("Only 'az tokenguard logout --all' is supported.",
                                           recommendation="To sign out one account, use 'az logout --username NAME'.")
    plan = cleanup.plan_logout_all(az_profile.config_dir(), include_other_tools, os.path.expanduser("~"))
    if dry_run:
        return _logout_report(plan, dry_run=True)
    _announce_other_tools(plan)
    _confirm_logout(plan, yes)
    present = [item for item in plan["remove"] if os.path.lexists(item["path"])]
    signed_out = az_profile.sign_out_everyone(cmd.cli_ctx)
    try:
        outcome = cleanup.execute_plan(plan)
    except cleanup.CleanupError as error:
        from azure.cli.core.azclierror import FileOperationError
        raise FileOperationError(str(error), recommendation="Wait for running az commands to finish, then run "
                                                            "'az tokenguard logout --all' again.") from None
    report = _logout_report(plan, dry_run=False, signed_out=signed_out,
                            removed=[i for i in present if not os.path.lexists(i["path"])], outcome=outcome)
    _verify_nothing_left(plan, report)
    return report


def _announce_other_tools(plan):
    """Other tools' caches are named one by one before anything is removed: they are not az's files."""
    config_dir = os.path.abspath(plan["config_dir"]) + os.sep
    for item in plan["remove"]:
        if not os.path.abspath(item["path"]).startswith(config_dir):
            logger.warning("Will remove %s (%s).", item["path"], item["reason"])


def _confirm_logout(plan, yes):
    from knack.prompting import NoTTYException, prompt_y_n
    if yes:
        return
    question = (f"Sign out every account az knows and remove {len(plan['remove'])} file(s) that hold tokens or "
                "secrets (see --dry-run)?")
    try:
        confirmed = prompt_y_n(question, default="n")
    except NoTTYException:
        raise RequiredArgumentMissingError("No terminal to confirm on.",
                                           recommendation="Run with --yes to confirm, or --dry-run to see the "
                                                          "plan.") from None
    if not confirmed:
        from azure.cli.core.azclierror import ManualInterrupt
        raise ManualInterrupt("Nothing was removed.")


def _logout_report(plan, dry_run, signed_out=(), removed=None, outcome=None):
    report = {
        "dryRun": dry_run,
        "signedOut": list(signed_out),
        ("wouldRemove" if dry_run else "removed"): plan["remove"] if dry_run else removed,
        ("wouldRewrite" if dry_run else "rewritten"): plan["rewrite"] if dry_run else outcome["rewritten"],
        "kept": plan["keep"],
        "cannotCleanHere": plan["cannot_clean"],
    }
    if outcome and outcome["failed"]:
        report["failed"] = outcome["failed"]
    kept_names = ", ".join(sorted({os.path.basename(k["path"]) for k in plan["keep"]})) or "nothing"
    logger.warning("Kept what holds no secret: %s.", kept_names)
    logger.warning("Not cleanable from here: %s. See cannotCleanHere in the JSON output for how.",
                   "; ".join(item["what"] for item in plan["cannot_clean"]))
    return report


def _verify_nothing_left(plan, report):
    """Scan the cleaned directories again: no access, refresh or id token and no client secret may remain."""
    from azure.cli.core.azclierror import UnclassifiedUserFault
    from azext_tokenguard.cache_scan import scan_paths
    remaining = [f for f in scan_paths(plan["roots"], time.time(), {})["findings"] if f["has_secret"]]
    report["verified"] = {"clean": not remaining and not report.get("failed"),
                          "remaining": [{"path": f["path"], "what": f["message"]} for f in remaining]}
    if not report["verified"]["clean"]:
        what = "; ".join(f"{f['path']}: {f['message']}" for f in remaining) or \
            "; ".join(f"{f['path']}: {f['error']}" for f in report["failed"])
        raise UnclassifiedUserFault(f"Token material is still on disk after logout: {what}",
                                    recommendation="Remove those files by hand, then run 'az tokenguard scan'.")


# --- exec ---------------------------------------------------------------------------------------------

EXEC_MARKER = "TOKENGUARD_EXEC"  # set for the child, so an exec inside an exec is refused
DEFAULT_EXEC_MIN_VALIDITY = "5m"  # azure-identity refreshes 5 minutes before expiry too


def exec_command(cmd, command_args=None, allowed_resources=None, min_validity=None, subscription=None):
    from azext_tokenguard.child_process import run_child
    from azext_tokenguard.identity_endpoint import TokenEndpoint, child_environment
    if not command_args:
        raise RequiredArgumentMissingError("No command to run.",
                                           recommendation="Put it after --, e.g. az tokenguard exec -- python job.py")
    if os.environ.get(EXEC_MARKER):
        raise ValidationError("Already inside 'az tokenguard exec'.",
                              recommendation="Run the command directly: its token endpoint is already set.")
    az_profile.current_account(cmd.cli_ctx, subscription)  # not logged in: say so now, not on the first request
    issue = _endpoint_token_source(cmd.cli_ctx, allowed_resources, _min_validity_seconds(min_validity or
                                                                                         DEFAULT_EXEC_MIN_VALIDITY),
                                   subscription)
    with TokenEndpoint(issue, log=_log_issued_token) as endpoint:
        logger.info("Token endpoint for the child listens on %s.", endpoint.url)
        try:
            code = run_child(command_args, {**child_environment(endpoint.url, endpoint.secret), EXEC_MARKER: "1"})
        except OSError as error:
            raise InvalidArgumentValueError(f"Cannot run '{command_args[0]}': {error.strerror}.",
                                            recommendation="Check the command after --.") from None
    if code:
        raise SystemExit(code)  # az exits with the child's code; knack passes SystemExit through


def _endpoint_token_source(cli_ctx, allowed_resources, wanted_seconds, subscription):
    from azure.cli.core.azclierror import AzCLIError
    from azext_tokenguard.identity_endpoint import TokenRequestError
    cloud_name, endpoints, suffixes = az_profile.cloud_endpoints(cli_ctx)
    allowed = [_resource_and_scopes(r, None, endpoints, suffixes, cloud_name)[0] for r in allowed_resources or ()]

    def issue(resource):
        if allowed and not any(resources.audience_matches(a, resource) for a in allowed):
            raise TokenRequestError(403, f"Resource '{resource}' is not in this exec's --resource list.")
        hint = resources.detect_permission_as_resource(resource, endpoints.get("microsoft_graph_resource_id"))
        if hint:
            raise TokenRequestError(400, hint)
        try:
            token, expires_on, _, _ = _obtain_token(cli_ctx, resources.scopes_for_resource(resource), subscription,
                                                    None, wanted_seconds)
        except AzCLIError as error:
            raise TokenRequestError(500, str(error)) from None
        return token, expires_on
    return issue


def _log_issued_token(resource, expires_on):
    logger.info("Issued a token for %s, valid until %s (%s left).", resource,
                jwt_inspect.utc_iso(expires_on), format_duration(max(int(expires_on - time.time()), 0)))


# --- the guard: shell-init, classify, pin, protect, policy --------------------------------------------

def _as_shell_code(cmd, code):
    """The documented use is `eval "$(az tokenguard ...)"`, which needs raw text on stdout. az would wrap a
    string in JSON quotes, so unless the user chose an output format, print it as tsv (the text itself)."""
    params = cmd.cli_ctx.data.get("safe_params") or []
    if "--output" not in params and "-o" not in params:
        cmd.cli_ctx.invocation.data["output"] = "tsv"
    return code.rstrip("\n")


def _guard_error(error, recommendation):
    return InvalidArgumentValueError(str(error), recommendation=recommendation)


def shell_init(cmd, shell="bash"):
    import shutil
    from azext_tokenguard.guard.shell_init import ShellInitError, launch_path
    from azext_tokenguard.guard.shell_init import shell_init as render_shell_init
    try:
        code = render_shell_init(shell, sys.executable, launch_path(), shutil.which("az") or "")
    except ShellInitError as error:
        raise _guard_error(error, 'Add eval "$(az tokenguard shell-init --shell bash)" to ~/.bashrc.') from None
    return _as_shell_code(cmd, code)


def classify(command_line=None, file=None):
    from azext_tokenguard.guard import classify as classifier
    from azext_tokenguard.guard.profile import default_config_dir
    if (command_line is None) == (file is None):
        raise RequiredArgumentMissingError("Give exactly one of --command or --file.",
                                           recommendation='For example: az tokenguard classify --command "group delete -n rg1"')
    config_dir = default_config_dir(os.environ)
    if command_line is not None:
        return classifier.classify_command_text(command_line, config_dir)
    return classifier.classify_script(_read_text_file(file), config_dir)


def _read_text_file(path):
    from azure.cli.core.azclierror import FileOperationError
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", errors="replace")
    except OSError as error:
        raise FileOperationError(f"Cannot read {path}: {error.strerror}.",
                                 recommendation="Check the path passed to --file.") from None


def pin(cmd, subscription=None, tenant=None, clear=False, shell="bash"):
    from azext_tokenguard.guard.pin import PinError, pin_exports
    if subscription:  # pin the id: a renamed subscription must not slip through a name pin
        subscription = az_profile.current_account(cmd.cli_ctx, subscription)["id"]
    try:
        code = pin_exports(shell, subscription=subscription, tenant=tenant, clear=clear)
    except PinError as error:
        raise _guard_error(error, 'For example: eval "$(az tokenguard pin --subscription contoso-prod)"') from None
    return _as_shell_code(cmd, code)


def _policy_call(change, *args):
    from azext_tokenguard.guard import policy
    from azext_tokenguard.guard.profile import default_config_dir
    config_dir = default_config_dir(os.environ)
    try:
        return change(policy, config_dir, *args)
    except policy.PolicyError as error:
        raise _guard_error(error, "Run 'az tokenguard policy show' to see the policy.") from None
    except OSError as error:  # a full disk, a read-only config dir: the old policy file is left as it was
        raise _cannot_write(policy.policy_path(config_dir), error) from None


def _cannot_write(path, error):
    from azure.cli.core.azclierror import FileOperationError
    return FileOperationError(f"Cannot write {path}: {error.strerror}. Nothing was changed.",
                              recommendation="Free some disk space or make the directory writable, then try again.")


def protect(subscription):
    return _policy_call(lambda policy, config_dir: policy.protect(config_dir, subscription))


def unprotect(subscription):
    return _policy_call(lambda policy, config_dir: policy.unprotect(config_dir, subscription))


def policy_show():
    return _policy_call(lambda policy, config_dir: policy.policy_show(config_dir))


def policy_set(context_line=None, device_code=None, ci_user_login=None):
    if context_line is None and device_code is None and ci_user_login is None:
        raise RequiredArgumentMissingError("Nothing to set.",
                                           recommendation="Pass --context-line, --device-code or --ci-user-login.")
    return _policy_call(lambda policy, config_dir: policy.set_settings(config_dir, context_line, device_code,
                                                                       ci_user_login))


def policy_reset():
    return _policy_call(lambda policy, config_dir: policy.reset_policy(config_dir))


def refresh_classifier_data(cmd):
    """Regenerate the list of commands az asks to confirm, for this az and its installed extensions."""
    from azext_tokenguard.command_table_export import export_confirmation_commands, write_export
    from azext_tokenguard.guard.classify import user_confirm_commands_path
    document = export_confirmation_commands(cmd.cli_ctx)
    path = user_confirm_commands_path(az_profile.config_dir())
    try:
        write_export(document, path)
    except OSError as error:
        raise _cannot_write(path, error) from None
    return {"path": path, "azVersion": document["azVersion"], "commandCount": document["commandCount"],
            "destructiveCommands": len(document["destructive"])}


# --- audit --------------------------------------------------------------------------------------------

def audit_show(since=None, decision=None):
    from azext_tokenguard.guard import audit
    from azext_tokenguard.guard.profile import default_config_dir
    records, skipped = audit.read_records(default_config_dir(os.environ), _since_timestamp(since), decision)
    if skipped:
        logger.warning("Skipped %d unreadable line(s) of the audit log.", skipped)
    return records


AUDIT_LOOKBACK_SECONDS = 366 * 24 * 3600


def _since_timestamp(since):
    """--since as the log's UTC 'YYYY-MM-DDTHH:MM:SSZ': a duration back from now (1h, 2d) or an ISO time."""
    if since is None:
        return None
    try:
        moment = time.time() - parse_duration(since, max_seconds=AUDIT_LOOKBACK_SECONDS)
    except DurationError:
        try:
            parsed = datetime.datetime.fromisoformat(since.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidArgumentValueError(f"--since: '{since}' is neither a duration nor an ISO 8601 time.",
                                            recommendation="For example: --since 2h or --since 2026-11-23T08:00:00Z") from None
        moment = (parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)).timestamp()
    return datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
