"""Command implementations: thin glue between az (through az_profile) and the modules that do the work.

Every command is wrapped by ``az_command``: its result goes out as JSON, its errors as az's. Argument checks
run before, as validators (_validators.py).
"""
import os
import sys
import time

from azure.cli.core.azclierror import InvalidArgumentValueError, RequiredArgumentMissingError
from knack.log import get_logger

from azext_tokenguard import az_profile, jwt_inspect, resources, tokens
from azext_tokenguard._format import printable
from azext_tokenguard.az_command import az_command
from azext_tokenguard.guard import az_files
from azext_tokenguard.guard.errors import (FileAccessError, FindingsError, InvalidValueError, MissingArgumentError,
                                           RefusedError)
from azext_tokenguard.status_report import build_status

logger = get_logger(__name__)


@az_command
def show_status(cmd):
    from azext_tokenguard.use import shell_selection
    # This shell's selection (az tokenguard use), unless the command names its own --subscription.
    selected, selection = (None, None) if cmd.cli_ctx.data.get("subscription_id") else \
        shell_selection(os.environ, az_files.config_dir())
    account = az_profile.current_account(cmd.cli_ctx, selected)
    from azext_tokenguard.vault import describe as describe_vault
    config_dir, encrypted, platform = az_profile.token_cache_settings(cmd.cli_ctx)
    status = build_status(account, cmd.cli_ctx.cloud.name, config_dir, encrypted, platform, selection=selection,
                          vault=describe_vault(config_dir, time.time()))
    _check_ci_user(status.identity, config_dir)
    return status


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


# --- get-token ----------------------------------------------------------------------------------------

@az_command
def get_token(cmd, *, resource=None, scopes=None, subscription=None, tenant=None, min_validity=None,
              list_resources=False, resource_type=None):
    """min_validity comes in seconds (_validators); --resource and --scope, --subscription and --tenant are
    already known not to come together."""
    cloud = tokens.active_cloud(cmd.cli_ctx)
    if list_resources:
        return resources.resource_table(cloud.endpoints, cloud.suffixes, cloud.name)
    if subscription is None and tenant is None:
        subscription = _shell_subscription()
    _refuse_locked_vault()
    request = tokens.token_request(cloud, resource=resource, scopes=scopes, resource_type=resource_type,
                                   subscription=subscription, tenant=tenant, min_validity=min_validity)
    result = tokens.get_token(request, tokens.AzSource(cmd.cli_ctx))
    _keep_az_columns_first(cmd.cli_ctx)
    return result


def _keep_az_columns_first(cli_ctx):
    """-o tsv prints a plain dict's values sorted by key, which would put the summary's 'audience' in column 2,
    where az has expiresOn. az turns every result into a plain dict after the command returns, so the order
    is set once that is done (as knack's --query hooks in): az's columns first, in az's order."""
    from knack.events import EVENT_INVOKER_TRANSFORM_RESULT
    from azext_tokenguard._format import az_columns_first

    def reorder(_cli_ctx, **kwargs):
        cli_ctx.unregister_event(EVENT_INVOKER_TRANSFORM_RESULT, reorder)
        kwargs["event_data"]["result"] = az_columns_first(kwargs["event_data"]["result"])
    cli_ctx.register_event(EVENT_INVOKER_TRANSFORM_RESULT, reorder)


# --- decode -------------------------------------------------------------------------------------------

@az_command
def decode_token(token=None, file=None):
    return jwt_inspect.inspect_token(_token_text(token, file), time.time())


def _token_text(token, file):
    if token is not None:
        return token
    limit = jwt_inspect.MAX_TOKEN_CHARS + 1  # read no more than a token can be: the decoder reports the rest
    if file is not None:
        return _read_token_file(file, limit)
    if sys.stdin is None or sys.stdin.isatty():
        raise MissingArgumentError("No token given.",
                                   recommendation="Pass --token, --file, or pipe the token into standard input.")
    return sys.stdin.buffer.read(limit)


def _read_token_file(path, limit):
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError as error:
        raise FileAccessError(f"Cannot read {path}: {error.strerror}.",
                              recommendation="Check the path passed to --file.") from None


# --- scan ---------------------------------------------------------------------------------------------

@az_command
def scan(paths=None, fail_on=None, sarif=None):
    from azext_tokenguard import cache_scan, machine, token_files
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
    from azext_tokenguard.sarif import to_sarif
    try:
        az_files.write_private_file(path, json.dumps(to_sarif(findings, _version()), indent=2).encode())
    except OSError as error:
        raise _cannot_write(path, error) from None


def _fail_on_findings(findings, level):
    from azext_tokenguard.cache_scan import SEVERITIES
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


# --- logout --all -------------------------------------------------------------------------------------

@az_command
def logout(cmd, all_identities=False, dry_run=False, include_other_tools=False,  # pylint: disable=unused-argument
           yes=False):
    """--all is required (_validators.validate_logout_all): only signing everyone out is offered."""
    from azext_tokenguard.logout import logout_all
    return logout_all(cmd.cli_ctx, az_files.config_dir(), dry_run=dry_run, include_other_tools=include_other_tools,
                      yes=yes)


def _refuse_locked_vault():
    """Say the vault is locked, instead of az's "run az login", when az's tokens are sealed."""
    from azext_tokenguard.guard import vault_state
    config_dir = az_files.config_dir()
    if vault_state.read_state(config_dir).state == vault_state.LOCKED and not vault_state.plain_tokens_back(config_dir):
        raise RefusedError("az's tokens are sealed in the token vault.",
                           recommendation="Run 'az tokenguard vault unlock' (add --for 8h to choose how long).")


# --- vault --------------------------------------------------------------------------------------------

@az_command
def vault_lock(passphrase_file=None):
    from azext_tokenguard import vault, vault_keys
    outcome = vault.lock(az_files.config_dir(), vault_keys.passphrase_sources(passphrase_file), time.time())
    return vault.report(outcome, time.time())


@az_command
def vault_unlock(period=None, passphrase_file=None):
    """period is in seconds (_validators.validate_unlock_period)."""
    from azext_tokenguard import vault, vault_keys
    outcome = vault.unlock(az_files.config_dir(), vault_keys.passphrase_sources(passphrase_file), period,
                           time.time())
    return vault.report(outcome, time.time())


@az_command
def vault_show():
    from azext_tokenguard import vault
    return vault.describe(az_files.config_dir(), time.time())


# --- exec ---------------------------------------------------------------------------------------------

@az_command
def exec_command(cmd, command_args=None, allowed_resources=None, min_validity=None, subscription=None):
    """A command to run is given, no exec runs around this one, and min_validity is in seconds (_validators)."""
    from azext_tokenguard._validators import EXEC_MARKER
    from azext_tokenguard.child_process import run_child
    from azext_tokenguard.identity_endpoint import TokenEndpoint, child_environment
    subscription = subscription or _shell_subscription()
    _refuse_locked_vault()
    az_profile.current_account(cmd.cli_ctx, subscription)  # not logged in: say so now, not on the first request
    issue = tokens.endpoint_issuer(tokens.active_cloud(cmd.cli_ctx), tokens.AzSource(cmd.cli_ctx),
                                   allowed_resources=allowed_resources, min_validity=min_validity,
                                   subscription=subscription)
    with TokenEndpoint(issue, logger=logger) as endpoint:
        logger.info("Token endpoint for the child listens on %s.", endpoint.url)
        environment, removed, replaced = child_environment(os.environ, endpoint.variables())
        _log_child_environment(removed, replaced)
        try:
            code = run_child(command_args, {**environment, EXEC_MARKER: "1"})
        except OSError as error:
            raise InvalidValueError(f"Cannot run '{command_args[0]}': {error.strerror}.",
                                    recommendation="Check the command after --.") from None
    if code:
        raise SystemExit(code)  # az exits with the child's code; knack passes SystemExit through


def _log_child_environment(removed, replaced):
    """Names only, never values: they are credentials."""
    from azext_tokenguard.identity_endpoint import TOKEN_CREDENTIALS
    if removed:
        logger.info("Unset for the child, so that its SDKs take their tokens from the endpoint: %s.",
                    ", ".join(removed))
    if replaced:
        logger.info("Replaced for the child by the endpoint's own: %s.", ", ".join(replaced))
    logger.info("The child gets %s=%s: its DefaultAzureCredential uses the endpoint and nothing else, so a "
                "refused token is an error there, not a fallback to az.", *TOKEN_CREDENTIALS)


# --- agent --------------------------------------------------------------------------------------------

@az_command
def agent_command(cmd, command_args=None, mode="read-only", subscription=None):
    """Run an untrusted command with no credential in reach; the proxy enforces --mode per request."""
    from azext_tokenguard.agent import sandbox
    from azext_tokenguard.agent.ask import ask_on_terminal
    from azext_tokenguard.agent.run import REAL_TOKEN_MARGIN_SECONDS, AgentRun
    from azext_tokenguard.agent.session import new_run_id, run_agent
    from azext_tokenguard.guard import audit
    subscription = subscription or _shell_subscription()
    _refuse_locked_vault()
    account = az_profile.current_account(cmd.cli_ctx, subscription)
    cloud = tokens.active_cloud(cmd.cli_ctx)
    config_dir = az_files.config_dir()
    real_token = tokens.endpoint_issuer(cloud, tokens.AzSource(cmd.cli_ctx), min_validity=REAL_TOKEN_MARGIN_SECONDS,
                                        subscription=account["id"])
    run = AgentRun(mode=mode, command=command_args, account=account,
                   subscriptions=az_profile.cached_subscriptions(cmd.cli_ctx),
                   arm_resources=[cloud.endpoints["active_directory_resource_id"], cloud.endpoints["resource_manager"]],
                   arm_url=cloud.endpoints["resource_manager"], login_url=cloud.endpoints["active_directory"],
                   real_token=real_token, ask=ask_on_terminal, audit=lambda record: audit.append(config_dir, record),
                   run_id=new_run_id())
    logger.warning("tokenguard agent run %s (%s): audit with 'az tokenguard audit show --run %s'.", run.run_id, mode,
                   run.run_id)
    try:
        code = run_agent(run, parent_env=os.environ, parent_config_dir=config_dir,
                         subscriptions=az_profile.cached_subscriptions(cmd.cli_ctx), logger=logger)
    except sandbox.SandboxUnavailableError as error:
        raise RefusedError(f"{error} The agent is not started without a sandbox.",
                           recommendation="Install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; "
                                          "Fedora: sudo dnf install bubblewrap) and allow unprivileged user "
                                          "namespaces, then run it again.") from None
    except OSError as error:
        raise InvalidValueError(f"Cannot run '{command_args[0]}': {error.strerror}.",
                                recommendation="Check the command after --.") from None
    if code:
        raise SystemExit(code)


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


@az_command
def shell_init(cmd, shell="bash", shim=None, remove=False):
    from azext_tokenguard.guard.shell_init import ShellInitError, launch_path
    from azext_tokenguard.guard.shell_init import shell_init as render_shell_init
    from azext_tokenguard.guard.shim import real_az
    if shim is not None:
        return _shim_change(shim, remove)
    if remove:
        raise RequiredArgumentMissingError("--remove removes a shim: say which directory it is in.",
                                           recommendation="az tokenguard shell-init --shim ~/.local/bin --remove")
    try:
        # The real az, never a shim found first on PATH: the function would guard every command twice.
        code = render_shell_init(shell, sys.executable, launch_path(), real_az(os.environ.get("PATH", ""), ""))
    except ShellInitError as error:
        raise _guard_error(error, 'Add eval "$(az tokenguard shell-init --shell bash)" to ~/.bashrc.') from None
    return _as_shell_code(cmd, code)


def _shim_change(directory, remove):
    """Install or remove the guarding `az` in ``directory``."""
    from azext_tokenguard.guard.shell_init import ShellInitError, launch_path
    from azext_tokenguard.guard.shim import install_shim, remove_shim
    try:
        if remove:
            return remove_shim(directory)
        result = install_shim(directory, sys.executable, launch_path(), os.environ.get("PATH", ""))
    except ShellInitError as error:
        raise _guard_error(error, "az tokenguard shell-init --shim ~/.local/bin") from None
    except OSError as error:
        from azure.cli.core.azclierror import FileOperationError
        raise FileOperationError(f"Cannot write the shim in {directory}: {error.strerror}.",
                                 recommendation="Choose a directory of your own, such as ~/.local/bin.") from None
    if not result["firstOnPath"]:
        logger.warning("%s is not the first az on PATH; put its directory first, e.g. in ~/.profile: "
                       'export PATH="%s:$PATH"', result["shim"], os.path.dirname(result["shim"]))
    return result


@az_command
def classify(cmd, command_line=None, file=None):
    from azext_tokenguard.guard import classify as classifier
    from azext_tokenguard.guard.decision import decide_calls
    from azext_tokenguard.guard.profile import default_config_dir
    if (command_line is None) == (file is None):
        raise RequiredArgumentMissingError(
            "Give exactly one of --command or --file.",
            recommendation='For example: az tokenguard classify --command "group delete -n rg1"')
    if command_line is not None:
        invocations = classifier.command_text_invocations(command_line)
    else:
        invocations = classifier.split_script(_read_text_file(file))
    results, exit_code = decide_calls(invocations, default_config_dir(os.environ), os.environ,
                                      with_lines=file is not None)
    if exit_code:
        _exit_after_output(cmd.cli_ctx, exit_code)
    return results


def _exit_after_output(cli_ctx, exit_code):
    """Give az's exit status ``exit_code`` once the result is printed (a pre-command hook reads both).
    knack takes a SystemExit raised while it finishes the command as the exit status."""
    from knack.events import EVENT_CLI_SUCCESSFUL_EXECUTE

    def leave(_cli_ctx, **_kwargs):
        cli_ctx.unregister_event(EVENT_CLI_SUCCESSFUL_EXECUTE, leave)
        sys.exit(exit_code)
    cli_ctx.register_event(EVENT_CLI_SUCCESSFUL_EXECUTE, leave)


def _read_text_file(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", errors="replace")
    except OSError as error:
        raise FileAccessError(f"Cannot read {path}: {error.strerror}.",
                              recommendation="Check the path passed to --file.") from None


@az_command
def pin(cmd, subscription=None, tenant=None, clear=False, shell="bash"):
    from azext_tokenguard.guard.pin import pin_exports
    if subscription:  # pin the id: a renamed subscription must not slip through a name pin
        subscription = az_profile.current_account(cmd.cli_ctx, subscription)["id"]
    return _as_shell_code(cmd, pin_exports(shell, subscription=subscription, tenant=tenant, clear=clear))


@az_command
def use(cmd, *, previous=None, subscription=None, tenant=None, clear=False, no_export=False, shell="bash"):
    """This shell's subscription, as shell code for eval (use.py); `previous` is the positional `-`."""
    from azext_tokenguard.use import use as choose_for_shell
    if previous not in (None, "-"):
        raise InvalidValueError(f"Unexpected argument {previous!r}: only - (the previous choice) goes there.",
                                recommendation='eval "$(az tokenguard use --subscription NAME)"')
    choice = choose_for_shell(os.environ, az_files.config_dir(), subscription=subscription, tenant=tenant,
                              previous=previous == "-", clear=clear, no_export=no_export, shell=shell,
                              choose=_terminal_picker())
    for note in choice.notes:
        logger.warning(note)
    if sys.stdout.isatty():
        logger.warning('Nothing changes until the shell runs this code: eval "$(az tokenguard use ...)".')
    return _as_shell_code(cmd, choice.code)


def _shell_subscription():
    """This shell's selected subscription id (az tokenguard use), or None: tokens follow the shell's choice."""
    from azext_tokenguard.use import shell_selection
    return shell_selection(os.environ, az_files.config_dir())[0]


def _terminal_picker():
    """knack's numbered prompt on the terminal, or None without one. stdout goes to `eval`, so the list and
    the question go to stderr."""
    if sys.stdin is None or not sys.stdin.isatty():
        return None

    def choose(rows, default_index):
        from contextlib import redirect_stdout
        from knack.prompting import prompt_choice_list
        from azext_tokenguard.guard.errors import CancelledError
        try:
            with redirect_stdout(sys.stderr):
                return prompt_choice_list("Select the subscription for this shell (Enter keeps the one marked "
                                          "as default):", rows, default=default_index + 1)
        except EOFError:
            raise CancelledError("Nothing selected; nothing changed.") from None
    return choose


def _policy_call(change, *args):
    from azext_tokenguard.guard import policy
    config_dir = az_files.config_dir()
    try:
        return change(policy, config_dir, *args)
    except OSError as error:  # a full disk, a read-only config dir: the old policy file is left as it was
        raise _cannot_write(policy.policy_path(config_dir), error) from None


def _cannot_write(path, error):
    return FileAccessError(f"Cannot write {path}: {error.strerror}. Nothing was changed.",
                           recommendation="Free some disk space or make the directory writable, then try again.")


@az_command
def protect(subscription):
    return _policy_call(lambda policy, config_dir: policy.protect(config_dir, subscription))


@az_command
def unprotect(subscription):
    return _policy_call(lambda policy, config_dir: policy.unprotect(config_dir, subscription))


@az_command
def policy_show():
    return _policy_call(lambda policy, config_dir: policy.policy_show(config_dir))


@az_command
def policy_set(context_line=None, device_code=None, ci_user_login=None, mode=None):
    if context_line is None and device_code is None and ci_user_login is None and mode is None:
        raise RequiredArgumentMissingError(
            "Nothing to set.", recommendation="Pass --context-line, --device-code, --ci-user-login or --mode.")
    return _policy_call(lambda policy, config_dir: policy.set_settings(config_dir, context_line, device_code,
                                                                       ci_user_login, mode))


@az_command
def policy_reset():
    return _policy_call(lambda policy, config_dir: policy.reset_policy(config_dir))


@az_command
def refresh_classifier_data(cmd):
    """Regenerate, for this az and its installed extensions, the commands az asks to confirm, the commands that
    take az's global --subscription (steering to a shell's selection) and every command's options (the guard's
    reading of abbreviations and secrets)."""
    from azext_tokenguard.command_table_export import (export_command_options, export_confirmation_commands,
                                                       export_subscription_options)
    from azext_tokenguard.guard import options, selection
    from azext_tokenguard.guard.classify import user_confirm_commands_path
    config_dir = az_files.config_dir()
    document = export_confirmation_commands(cmd.cli_ctx)
    path = _write_user_export(document, user_confirm_commands_path(config_dir))
    subscription_options_path = _write_user_export(export_subscription_options(cmd.cli_ctx),
                                                   selection.user_data_path(config_dir))
    command_options_path = _write_user_export(export_command_options(cmd.cli_ctx), options.user_data_path(config_dir))
    return {"path": path, "azVersion": document["azVersion"], "commandCount": document["commandCount"],
            "destructiveCommands": len(document["destructive"]), "subscriptionOptionsPath": subscription_options_path,
            "commandOptionsPath": command_options_path}


def _write_user_export(document, path):
    """One regenerated table, written into tokenguard's state dir (which may not exist yet); its path."""
    from azext_tokenguard.command_table_export import write_export
    from azext_tokenguard.guard.policy import ensure_private_dir
    try:
        ensure_private_dir(os.path.dirname(path))
        write_export(document, path)
    except OSError as error:
        raise _cannot_write(path, error) from None
    return path


# --- audit --------------------------------------------------------------------------------------------

@az_command
def audit_show(since=None, decision=None, run=None):
    """since comes as the log's UTC time already (_validators.validate_since)."""
    from azext_tokenguard.guard import audit
    records, skipped = audit.read_records(az_files.config_dir(), since, decision, run)
    if skipped:
        logger.warning("Skipped %d unreadable line(s) of the audit log.", skipped)
    return records
