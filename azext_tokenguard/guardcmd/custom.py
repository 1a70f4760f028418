"""Glue for the commands about the guard: shell-init, classify, refresh-classifier, pin, use, protect,
unprotect, policy and audit (guard/ and guardcmd/)."""
import os
import sys

from azure.cli.core.azclierror import InvalidArgumentValueError, RequiredArgumentMissingError

from knack.log import get_logger

from azext_tokenguard import az_profile
from azext_tokenguard.az_command import az_command
from azext_tokenguard.guard import az_files
from azext_tokenguard.guard.errors import (CancelledError, FileAccessError, InvalidValueError, MissingArgumentError,
                                           TokenguardError)
from azext_tokenguard.shared_glue import cannot_write, refuse_in_read_only

logger = get_logger(__name__)


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
    refuse_in_read_only("tokenguard shell-init", ["--shim"])
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
    refuse_in_read_only("tokenguard pin")
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
        raise cannot_write(policy.policy_path(config_dir), error) from None


@az_command
def protect(subscription):
    refuse_in_read_only("tokenguard protect")
    return _policy_call(lambda policy, config_dir: policy.protect(config_dir, subscription))


@az_command
def unprotect(subscription):
    refuse_in_read_only("tokenguard unprotect")
    return _policy_call(lambda policy, config_dir: policy.unprotect(config_dir, subscription))


@az_command
def policy_show():
    return _policy_call(lambda policy, config_dir: policy.policy_show(config_dir))


@az_command
def policy_set(context_line=None, device_code=None, ci_user_login=None, mode=None, allow_secrets=None):
    refuse_in_read_only("tokenguard policy set")
    if all(value is None for value in (context_line, device_code, ci_user_login, mode, allow_secrets)):
        raise RequiredArgumentMissingError(
            "Nothing to set.",
            recommendation="Pass --context-line, --device-code, --ci-user-login, --mode or --allow-secrets.")
    return _policy_call(lambda policy, config_dir: policy.set_settings(config_dir, context_line, device_code,
                                                                       ci_user_login, mode,
                                                                       allow_secrets=allow_secrets))


@az_command
def policy_reset(yes=False):
    refuse_in_read_only("tokenguard policy reset")

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
    refuse_in_read_only("tokenguard refresh-classifier")
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
        raise cannot_write(path, error) from None
    return path


@az_command
def audit_show(since=None, decision=None, run=None):
    """since comes as the log's UTC time already (_validators.validate_since)."""
    from azext_tokenguard.guard import audit
    records, skipped = audit.read_records(az_files.config_dir(), since, decision, run)
    if skipped:
        logger.warning("Skipped %d unreadable line(s) of the audit log.", skipped)
    return records
