"""Command implementations: thin glue between az (through az_profile) and the modules that do the work.

Every command is wrapped by ``az_command``: its result goes out as JSON, its errors as az's. Argument checks
run before, as validators (_validators.py).
"""
import os
import sys
import time

from azure.cli.core.azclierror import InvalidArgumentValueError, RequiredArgumentMissingError
from knack.log import get_logger

from azext_tokenguard import az_profile
from azext_tokenguard.tokens import jwt_inspect
from azext_tokenguard.tokens import resources
from azext_tokenguard.tokens import access as tokens
from azext_tokenguard._format import printable
from azext_tokenguard.az_command import az_command
from azext_tokenguard.guard import az_files
from azext_tokenguard.guard.errors import (CancelledError, FileAccessError, FindingsError, InvalidValueError,
                                           MissingArgumentError, RefusedError, TokenguardError)
from azext_tokenguard.hygiene.status import build_status

logger = get_logger(__name__)


def _refuse_in_read_only(command, argv=()):
    """Read-only mode covers tokenguard itself here too, not only in the guard in front of az: a caller that
    reaches the real az around the shim is refused the same (exit status 47, the guard's line). The policy's
    mode or TOKENGUARD_MODE decides; the variable can only tighten the policy (decision.read_only_source)."""
    from azext_tokenguard.guard.classify import READ, Classification
    from azext_tokenguard.guard.decision import read_only_refusal
    from azext_tokenguard.guard.exitcodes import ExitCode
    from azext_tokenguard.guard.policy import load_policy
    refusal = read_only_refusal(Classification(READ, "changes only local az settings", command),
                                load_policy(az_files.config_dir()), os.environ, argv)
    if refusal:
        logger.error(refusal)
        raise SystemExit(ExitCode.REFUSED_READ_ONLY)


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
    if _plain_tsv(cmd):  # the nested result would print mostly empty columns: the table's row, flat, in order
        from azext_tokenguard._format import status_table
        _transform_result(cmd.cli_ctx, lambda result: status_table(result)[0])
    return status


def _plain_tsv(cmd):
    """-o tsv without --query: what a script reads by position."""
    params = cmd.cli_ctx.data.get("safe_params") or []
    return cmd.cli_ctx.invocation.data.get("output") == "tsv" and "--query" not in params


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
    where az has expiresOn: az's columns first, in az's order."""
    from azext_tokenguard._format import az_columns_first
    _transform_result(cli_ctx, az_columns_first)


def _transform_result(cli_ctx, transform):
    """az turns every result into plain dicts after the command returns, so an order (an OrderedDict) is set
    once that is done, as knack's --query hooks in."""
    from knack.events import EVENT_INVOKER_TRANSFORM_RESULT

    def apply(_cli_ctx, **kwargs):
        cli_ctx.unregister_event(EVENT_INVOKER_TRANSFORM_RESULT, apply)
        kwargs["event_data"]["result"] = transform(kwargs["event_data"]["result"])
    cli_ctx.register_event(EVENT_INVOKER_TRANSFORM_RESULT, apply)


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
        raise _cannot_write(path, error) from None


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


# --- logout --all -------------------------------------------------------------------------------------

@az_command
def logout(cmd, all_identities=False, dry_run=False, include_other_tools=False,  # pylint: disable=unused-argument
           yes=False):
    """--all is required (_validators.validate_logout_all): only signing everyone out is offered."""
    _refuse_in_read_only("tokenguard logout")
    from azext_tokenguard.hygiene.logout import logout_all
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
    _refuse_in_read_only("tokenguard vault lock")
    from azext_tokenguard.vault import store as vault
    from azext_tokenguard.vault import keys as vault_keys
    outcome = vault.lock(az_files.config_dir(), vault_keys.passphrase_sources(passphrase_file), time.time())
    return vault.report(outcome, time.time())


@az_command
def vault_unlock(period=None, passphrase_file=None):
    """period is in seconds (_validators.validate_unlock_period)."""
    _refuse_in_read_only("tokenguard vault unlock")
    from azext_tokenguard.vault import store as vault
    from azext_tokenguard.vault import keys as vault_keys
    outcome = vault.unlock(az_files.config_dir(), vault_keys.passphrase_sources(passphrase_file), period,
                           time.time())
    return vault.report(outcome, time.time())


@az_command
def vault_show():
    from azext_tokenguard.vault import store as vault
    return vault.describe(az_files.config_dir(), time.time())


# --- exec ---------------------------------------------------------------------------------------------

@az_command
def exec_command(cmd, command_args=None, allowed_resources=None, min_validity=None, subscription=None):
    """A command to run is given, no exec runs around this one, and min_validity is in seconds (_validators)."""
    from azext_tokenguard._validators import EXEC_MARKER
    from azext_tokenguard.exec.child_clis import refusing_token_commands
    from azext_tokenguard.exec.child import exec_again_blanking, run_child
    from azext_tokenguard.exec.endpoint import SECRET_VARIABLES, TokenEndpoint, child_environment
    _refuse_in_read_only("tokenguard exec")
    exec_again_blanking(SECRET_VARIABLES)  # before anything else: the child must not find them in our /proc
    subscription = subscription or _shell_subscription()
    _refuse_locked_vault()
    az_profile.current_account(cmd.cli_ctx, subscription)  # not logged in: say so now, not on the first request
    issue = tokens.endpoint_issuer(tokens.active_cloud(cmd.cli_ctx), tokens.AzSource(cmd.cli_ctx),
                                   allowed_resources=allowed_resources, min_validity=min_validity,
                                   subscription=subscription)
    parent_path = os.environ.get("PATH", os.defpath)  # unset, the child would search the default path
    with TokenEndpoint(issue, logger=logger) as endpoint, refusing_token_commands(parent_path) as child_path:
        logger.info("Token endpoint for the child listens on %s.", endpoint.url)
        environment, removed, replaced = child_environment(os.environ, endpoint.variables())
        _log_child_environment(removed, replaced, child_path != parent_path)
        try:
            code = run_child(command_args, {**environment, "PATH": child_path, EXEC_MARKER: "1"})
        except OSError as error:
            raise InvalidValueError(f"Cannot run '{command_args[0]}': {error.strerror}.",
                                    recommendation="Check the command after --.") from None
    if code:
        raise SystemExit(code)  # az exits with the child's code; knack passes SystemExit through


def _log_child_environment(removed, replaced, refusing_clis):
    """Names only, never values: they are credentials."""
    from azext_tokenguard.exec.endpoint import TOKEN_CREDENTIALS
    if removed:
        logger.info("Unset for the child, so that its SDKs take their tokens from the endpoint: %s.",
                    ", ".join(removed))
    if replaced:
        logger.info("Replaced for the child by the endpoint's own: %s.", ", ".join(replaced))
    logger.info("The child gets %s=%s: its DefaultAzureCredential uses the endpoint and nothing else, so a "
                "refused token is an error there, not a fallback to az.", *TOKEN_CREDENTIALS)
    if refusing_clis:
        logger.info("The child's PATH starts with exec's own az (and azd, when there is one), which refuse "
                    "'az account get-access-token' and 'azd auth token': an older DefaultAzureCredential, which "
                    "ignores %s, ends in an error there too.", TOKEN_CREDENTIALS[0])


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
    _refuse_in_read_only("tokenguard shell-init", ["--shim"])
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
    _refuse_in_read_only("tokenguard pin")
    if subscription:  # pin the id: a renamed subscription must not slip through a name pin
        subscription = az_profile.current_account(cmd.cli_ctx, subscription)["id"]
    return _as_shell_code(cmd, pin_exports(shell, subscription=subscription, tenant=tenant, clear=clear))


@az_command
def use(cmd, *, previous=None, subscription=None, tenant=None, clear=False, no_export=False, shell="bash"):
    """This shell's subscription, as shell code for eval (use.py); `previous` is the positional `-`."""
    from azext_tokenguard.guardcmd.use import use as choose_for_shell
    try:
        if previous not in (None, "-"):
            raise InvalidValueError(f"Unexpected argument {previous!r}: only - (the previous choice) goes there.",
                                    recommendation='eval "$(az tokenguard use --subscription NAME)"')
        choice = choose_for_shell(os.environ, az_files.config_dir(), subscription=subscription, tenant=tenant,
                                  previous=previous == "-", clear=clear, no_export=no_export, shell=shell,
                                  choose=_terminal_picker())
    except TokenguardError:
        if not sys.stdout.isatty():  # `eval "$(az tokenguard use ...)"` gets no code: make it fail as az did
            sys.stdout.write("false\n")
            sys.stdout.flush()
        raise
    summary, *warnings = choice.notes
    for note in warnings:
        logger.warning(note)
    if sys.stdout.isatty():
        logger.warning('Nothing changes until the shell runs this code: eval "$(az tokenguard use ...)".')
    # The summary is news, not a warning, and true only once the shell has run the code: the code says it.
    return _as_shell_code(cmd, choice.code + _say(shell, summary))


def _say(shell, text):
    """Shell code that writes ``text`` to stderr, in bash, zsh or fish."""
    import shlex
    from azext_tokenguard.guard.shell_init import fish_quote
    return f"printf '%s\\n' {fish_quote(text) if shell == 'fish' else shlex.quote(text)} >&2\n"


def _shell_subscription():
    """This shell's selected subscription id (az tokenguard use), or None: tokens follow the shell's choice."""
    from azext_tokenguard.guardcmd.use import shell_selection
    return shell_selection(os.environ, az_files.config_dir())[0]


def _terminal_picker():
    """knack's numbered prompt on the terminal, or None without one. stdout goes to `eval`, so the list and
    the question go to stderr."""
    if sys.stdin is None or not sys.stdin.isatty():
        return None

    def choose(rows, default_index):
        from contextlib import redirect_stdout
        from knack.prompting import prompt_choice_list
        try:
            marked = [row + ("  (default)" if index == default_index else "") for index, row in enumerate(rows)]
            with redirect_stdout(sys.stderr):
                return prompt_choice_list("Select the subscription for this shell (Enter keeps the one marked "
                                          "as default):", marked, default=default_index + 1)
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
    _refuse_in_read_only("tokenguard protect")
    return _policy_call(lambda policy, config_dir: policy.protect(config_dir, subscription))


@az_command
def unprotect(subscription):
    _refuse_in_read_only("tokenguard unprotect")
    return _policy_call(lambda policy, config_dir: policy.unprotect(config_dir, subscription))


@az_command
def policy_show():
    return _policy_call(lambda policy, config_dir: policy.policy_show(config_dir))


@az_command
def policy_set(context_line=None, device_code=None, ci_user_login=None, mode=None, allow_secrets=None):
    _refuse_in_read_only("tokenguard policy set")
    if all(value is None for value in (context_line, device_code, ci_user_login, mode, allow_secrets)):
        raise RequiredArgumentMissingError(
            "Nothing to set.",
            recommendation="Pass --context-line, --device-code, --ci-user-login, --mode or --allow-secrets.")
    return _policy_call(lambda policy, config_dir: policy.set_settings(config_dir, context_line, device_code,
                                                                       ci_user_login, mode,
                                                                       allow_secrets=allow_secrets))


@az_command
def policy_reset(yes=False):
    _refuse_in_read_only("tokenguard policy reset")

    def reset(policy, config_dir):
        current = policy.load_policy(config_dir)
        if current.protected and not yes:
            _confirm_lifting(current.protected)
        return policy.reset_policy(config_dir)
    return _policy_call(reset)


def _confirm_lifting(protected):
    """As `unprotect` is confirmed: the protected names typed at the terminal; without one, TOKENGUARD_CONFIRM
    naming them all (comma-separated). Anything else leaves the policy as it is."""
    from azext_tokenguard.guard.confirm import CONFIRM_ENV, ask_on_terminal, open_terminal
    names = ", ".join(protected)
    try:
        terminal = open_terminal()
    except (OSError, ValueError):
        if _same_names(os.environ.get(CONFIRM_ENV, ""), protected):
            return
        raise MissingArgumentError(f"policy reset lifts the protection of {names}: no terminal to confirm on.",
                                   recommendation=f'Run with --yes, or set {CONFIRM_ENV}="{names}".') from None
    what = "its name" if len(protected) == 1 else "their names, separated by commas,"
    answer = ask_on_terminal(terminal, f"policy reset lifts the protection of {names}. Type {what} to reset "
                                       "(anything else cancels): ")
    if not _same_names(answer, protected):
        raise CancelledError("Not confirmed; the policy was not changed.")


def _same_names(text, protected):
    return {name.strip().lower() for name in text.split(",") if name.strip()} == {p.lower() for p in protected}


@az_command
def refresh_classifier_data(cmd):
    """Regenerate, for this az and its installed extensions, the commands az asks to confirm, the commands that
    take az's global --subscription (steering to a shell's selection) and every command's options (the guard's
    reading of abbreviations and secrets)."""
    from azext_tokenguard.guardcmd.command_table_export import (
        describe_sources, export_command_methods, export_command_options, export_confirmation_commands,
        export_subscription_options, quiet_az_loading)
    from azext_tokenguard.guard import options, selection
    from azext_tokenguard.guard.classify import user_confirm_commands_path, user_command_methods_path
    _refuse_in_read_only("tokenguard refresh-classifier")
    config_dir = az_files.config_dir()
    steps = _progress(cmd.cli_ctx, total=4)
    with quiet_az_loading():
        steps("Reading the requests each command sends")
        methods = export_command_methods(cmd.cli_ctx)
        methods_path = _write_user_export(methods, user_command_methods_path(config_dir))
        steps("Reading the commands az asks to confirm")
        document = export_confirmation_commands(cmd.cli_ctx, methods)
        path = _write_user_export(document, user_confirm_commands_path(config_dir))
        steps("Loading every command's arguments")
        subscription_options_path = _write_user_export(export_subscription_options(cmd.cli_ctx),
                                                       selection.user_data_path(config_dir))
        steps("Reading every command's options")
        command_options_path = _write_user_export(export_command_options(cmd.cli_ctx),
                                                  options.user_data_path(config_dir))
        steps(None)
    logger.warning(describe_sources(methods["sources"]))
    return {"path": path, "azVersion": document["azVersion"], "commandCount": document["commandCount"],
            "destructiveCommands": len(document["destructive"]), "subscriptionOptionsPath": subscription_options_path,
            "commandOptionsPath": command_options_path, "commandMethodsPath": methods_path,
            "classSources": methods["sources"]}


def _progress(cli_ctx, total):
    """``step(message)`` shows az's progress bar at step 1, 2... of ``total`` (``None``: done), at a terminal
    only: a pipe or a log gets nothing."""
    if not sys.stderr.isatty():
        return lambda message: None
    controller = cli_ctx.get_progress_controller(det=True)
    done = iter(range(total + 1))

    def step(message):
        if message is None:
            controller.end()
        else:
            controller.add(message=message, value=next(done), total_val=total)
    return step


def _write_user_export(document, path):
    """One regenerated table, written into tokenguard's state dir (which may not exist yet); its path."""
    from azext_tokenguard.guardcmd.command_table_export import write_export
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
