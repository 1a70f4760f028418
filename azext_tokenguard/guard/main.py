"""The guard's decision for one az command line: ``main(argv) -> exit code``.

Order: classify -> load policy and context -> pin check -> context line ->
confirmation.  Writes only to stderr and the terminal, never stdout (az's
output must stay byte for byte the same).  Never a traceback: any failure
ends in ``_fail_safe`` (destructive commands still need confirmation).
"""
import sys

# Only what every command needs is imported here (tests/unit/guard/test_hot_path.py): the rest is imported
# where a command needs it (a vault, a pin, a selection, a sign-in, a question, a line to print).
from . import system
from .az_files import TOKENGUARD_DIR_NAME
from .classify import DESTRUCTIVE, READ, Classification, classify, load_confirm_commands, needs_confirmation
from .constants import ANSWER_END, ANSWERED_FROM_CACHE, VAULT_FILE_NAME, ExitCode, Mode, Outcome, Steering, Variable
from .decision import is_context_free, is_protected, read_only_refusal
from .environment import Environment, detect_ci
from .invocation import is_passthrough, parse
from .policy import load_policy
from .profile import context_unknown, default_config_dir, load_context

CONFIRMED, REFUSED = Outcome.CONFIRMED, Outcome.REFUSED
CONTEXT_ALWAYS, CONTEXT_AUTO = Mode.CONTEXT_ALWAYS, Mode.CONTEXT_AUTO
CONTEXT_DESTRUCTIVE_ONLY, CONTEXT_LINE_MODES = Mode.CONTEXT_DESTRUCTIVE_ONLY, Mode.CONTEXT_LINE_MODES
RULE_DENY = Mode.RULE_DENY
LOGIN_COMMAND = 'login'

DEBUG_FLAG = '--debug'
CONTEXT_LINE_ENV = 'TOKENGUARD_CONTEXT_LINE'  # overrides the policy's mode for one shell or script
COMPLETION_ENV = '_ARGCOMPLETE'


def main(argv=None, env=None, stderr=None, open_tty=None, cwd=None, *, stdout=None):  # pylint: disable=too-many-arguments
    """Exit code for the shell function: 0 runs az, ExitCode.STEER runs it with the subscription printed on
    stdout added, ExitCode.REFUSED_* does not run it."""
    argv = list(sys.argv[1:] if argv is None else argv)
    environment = Environment(env, stdout=stdout, stderr=stderr, open_tty=open_tty)  # the guard's inputs, once
    try:
        return guard(argv, environment, cwd)
    except KeyboardInterrupt:
        environment.say('tokenguard: cancelled; az was not run.')
        return ExitCode.REFUSED_BY_USER
    except Exception as exc:  # pylint: disable=broad-except
        return _fail_safe(argv, environment, exc)


def guard(argv, environment, cwd=None):
    """The exit code for ``argv`` with the inputs of ``environment`` (environment.py)."""
    env, io, open_tty = environment.env, environment, environment.open_tty
    if env.get(COMPLETION_ENV) or is_passthrough(argv):
        return ExitCode.RUN  # help, `az --version` and tab completion touch nothing
    config_dir = default_config_dir(env)
    # The one reading of the command line, as az will parse it: every step below reads this value.
    invocation = parse(argv, config_dir)
    classification = classify(invocation, load_confirm_commands(config_dir))
    context_free = is_context_free(classification.command)
    steering = _steering_plan(invocation, classification, env, config_dir, context_free)
    policy = load_policy(config_dir)
    if policy.error:
        io.say(_warning(f'{policy.error}; every subscription is treated as protected.', io))
    context = _context(invocation, steering, config_dir, env, cwd)
    protected = is_protected(policy, context)
    record = _recorder(config_dir, invocation, context, classification, environment.clock)
    refusal = _vault_refusal(classification, context_free, config_dir, io, record)
    if refusal is None and (not _is_device_code_login(classification.command, invocation)
                            or read_only_refusal(classification, policy, env, invocation)):
        refusal = _policy_refusal(invocation, classification, context, policy, env, io=io, context_free=context_free,
                                  record=record)
    elif refusal is None:
        refusal = _device_code_decision(policy, env, io, open_tty, record)
    if refusal is not None:
        return refusal
    if not context_free:
        if steering.action == _REFUSE:
            io.say(_warning(steering.message, io))
            record(REFUSED, 'selection')
            return ExitCode.REFUSED_BY_PIN
        refusal = _pin_refusal(context, env, classification, io)
        if refusal:
            record(REFUSED, 'pin')
            return refusal
        _show_context(context, protected, classification, policy=policy, env=env, io=io)
    if not needs_confirmation(classification.kind, protected):
        return _answer_or_run(invocation, classification, steering, config_dir=config_dir, env=env, io=io)
    from .confirm import ask, az_yes_words  # only when someone must be asked
    code, how = ask(invocation, classification, context, protected, env, open_tty=open_tty, say=io.say,
                    colour=_tty_colour(env))
    record(CONFIRMED if code == ExitCode.RUN else REFUSED, how)
    az_yes = az_yes_words(invocation, classification, load_confirm_commands(config_dir))
    return _run(steering, io, az_yes) if code == ExitCode.RUN else code


def _context(invocation, steering, config_dir, env, cwd):
    """Where the command lands: with the shell's subscription added when the guard steers it, marked so the
    context line, the confirmation and the audit log name the shell's selection."""
    context = load_context(_steered(invocation, steering), config_dir, env, cwd)
    if steering is not _NO_PLAN:
        context.selection_note = steering.note
        context.selection_id = steering.selected_id
    return context


_REFUSE, _STEER = Steering.REFUSE, Steering.STEER  # selection.py is read only in a shell with a selection


class _NoPlan:  # pylint: disable=too-few-public-methods
    """selection.NO_PLAN without importing selection.py: no selection in this shell."""
    action = Steering.NONE
    subscription_id = ''


_NO_PLAN = _NoPlan()


def _steering_plan(invocation, classification, env, config_dir, context_free):
    """selection.plan, read only when this shell selected a subscription or tenant (az tokenguard use)."""
    if not (env.get(Variable.SUBSCRIPTION) or env.get(Variable.TENANT)):
        return _NO_PLAN
    from .selection import NO_PLAN, plan
    steering = plan(invocation, classification.command, env, config_dir, context_free=context_free)
    return _NO_PLAN if steering is NO_PLAN else steering


def _warning(text, io):
    from .render import warning_line  # only when a line is written
    return warning_line(text, io.colour)


def _is_device_code_login(command, invocation):
    if command != LOGIN_COMMAND:
        return False
    from .signin import is_device_code_login  # only for az login
    return is_device_code_login(command, invocation)


def _run(steering, io, az_yes=()):
    """RUN, or STEER with what the shell adds to az's arguments on stdout (the only thing the guard ever writes
    there): the subscription id to steer az to, then ``--yes`` when tokenguard has asked az's question already."""
    words = ([steering.subscription_id] if steering.action == _STEER else []) + list(az_yes)
    if not words:
        return ExitCode.RUN
    io.stdout.write(' '.join(words) + '\n')
    io.stdout.flush()
    return ExitCode.STEER


def _steered(invocation, steering):
    return invocation.with_subscription(steering.subscription_id) if steering.action == _STEER else invocation


def _answer_or_run(invocation, classification, steering, *, config_dir, env, io):
    """ANSWERED, with az's own output on stdout, for a get-access-token or get-token that az's token cache
    answers (fast_token.py); else what _run says."""
    if classification.command in ANSWERED_FROM_CACHE:
        from . import fast_token  # only for this command: every other one skips the import
        text = fast_token.answer(_steered(invocation, steering), config_dir, env)
        if text is not None:
            io.stdout.write(text + ANSWER_END)
            io.stdout.flush()
            return ExitCode.ANSWERED
    return _run(steering, io)


def _recorder(config_dir, invocation, context, classification, clock):
    """record(decision, how): one audit line for this command; a failed write never changes the decision."""
    def record(decision, how):
        from . import audit  # imported only when there is something to record: most commands never do
        audit.append(config_dir, audit.entry(decision, how, invocation, context, classification.kind, now=clock()))
    return record


def _vault_refusal(classification, context_free, config_dir, io, record):
    """While az's tokens are sealed, a command that needs one is refused with how to unlock (vault_gate.py)."""
    if not system.lexists(system.join(config_dir, TOKENGUARD_DIR_NAME, VAULT_FILE_NAME)):
        return None  # no vault on this machine: vault_gate.py is not even read
    from .vault_gate import refusal as vault_refusal
    refusal = vault_refusal(classification.command, context_free, config_dir, io.say)
    if refusal is not None:
        record(REFUSED, 'vault locked')
    return refusal


def _device_code_decision(policy, env, io, open_tty, record):
    """Device code sign-in is phishable: refuse it by policy, or warn and ask the person at the terminal."""
    from .confirm import HOW_TERMINAL, ask_on_terminal
    from .signin import ALLOW_DEVICE_CODE_ENV, DEVICE_CODE_WARNING
    if policy.device_code == RULE_DENY:
        io.say('tokenguard: refused: device code sign-in is forbidden on this machine by the tokenguard policy '
               '(deviceCode: deny). Sign in with a browser (az login), or change the policy with '
               '`az tokenguard policy set --device-code warn`.')
        record(REFUSED, 'device-code policy')
        return ExitCode.REFUSED_BY_POLICY
    io.say(DEVICE_CODE_WARNING)
    try:
        terminal = open_tty()
    except (OSError, ValueError):
        if env.get(ALLOW_DEVICE_CODE_ENV) == '1':
            record(CONFIRMED, ALLOW_DEVICE_CODE_ENV)
            return ExitCode.RUN
        io.say('tokenguard: refused: no terminal to confirm the device code sign-in on. If this script started '
               f'it on purpose, set {ALLOW_DEVICE_CODE_ENV}=1.')
        record(REFUSED, 'no terminal')
        return ExitCode.REFUSED_NO_TERMINAL
    answer = ask_on_terminal(terminal, 'Did you start this sign-in yourself, on this machine? [y/N] ')
    confirmed = answer.strip().lower() in ('y', 'yes')
    record(CONFIRMED if confirmed else REFUSED, HOW_TERMINAL)
    if not confirmed:
        io.say('tokenguard: not confirmed; az was not run.')
    return ExitCode.RUN if confirmed else ExitCode.REFUSED_BY_USER


def _policy_refusal(invocation, classification, context, policy, env, *, io, context_free, record):
    """The refusal code of read-only mode or of the CI sign-in rule, or None when neither refuses."""
    reason = read_only_refusal(classification, policy, env, invocation)
    if reason:
        io.say('tokenguard: ' + reason)  # one plain line an agent can act on
        record(REFUSED, 'read-only mode')
        return ExitCode.REFUSED_READ_ONLY
    if invocation.has_any((DEBUG_FLAG,)) and _debug_shows_secrets(invocation, classification, io):
        return ExitCode.REFUSED_BY_POLICY
    return _ci_user_check(context, policy, env, io, context_free=context_free, record=record)


def _debug_shows_secrets(invocation, classification, io):
    """az --debug logs "Command arguments: [...]" before any command runs, secrets included. tokenguard's own
    decode promises never to print a token: refuse it there (True); elsewhere warn."""
    if invocation.redacted_as_read == invocation.words:
        return False
    if classification.command == 'tokenguard decode':
        io.say('tokenguard: refused: with --debug az prints its command arguments, the token included. Pass the '
               'token on stdin or with --file instead of --token, or leave out --debug.')
        return True
    io.say('tokenguard: warning: with --debug az prints its command arguments on stderr, secret values included.')
    return False


def _ci_user_check(context, policy, env, io, *, context_free, record):
    """A user's own login on a build agent: warn, or refuse by policy (sign-in and logout stay possible)."""
    if not context.known or context.identity_type != 'user':
        return None
    ci_name = detect_ci(env)
    if not ci_name:
        return None
    from .signin import ci_user_message  # a user's own sign-in on a build agent
    refuse = policy.ci_user_login == RULE_DENY and not context_free
    io.say('tokenguard: ' + ci_user_message(ci_name, context.identity_name, refuse))
    if refuse:
        record(REFUSED, 'ci-user policy')
        return ExitCode.REFUSED_BY_POLICY
    return None


def _pin_refusal(context, env, classification, io):
    if not (env.get(Variable.PIN_SUBSCRIPTION) or env.get(Variable.PIN_TENANT)):
        return None  # this shell is not pinned: pin.py is not even read
    from .pin import PIN_MISMATCH, PIN_UNVERIFIABLE, check_pin
    status, message = check_pin(context, env)
    if status == PIN_MISMATCH or (status == PIN_UNVERIFIABLE and classification.kind != READ):
        io.say(_warning(message, io))
        return ExitCode.REFUSED_BY_PIN
    if status == PIN_UNVERIFIABLE:
        io.say(_warning(message, io))
    return None


def context_line_mode(policy, env, stderr_is_tty):
    """always | destructive-only | off, from TOKENGUARD_CONTEXT_LINE, then the policy; auto -> tty or off."""
    mode = env.get(CONTEXT_LINE_ENV, '').strip().lower()
    if mode not in CONTEXT_LINE_MODES:
        mode = policy.context_line
    if mode == CONTEXT_AUTO:
        return CONTEXT_ALWAYS if stderr_is_tty else 'off'
    return mode


def _show_context(context, protected, classification, *, policy, env, io):
    mode = context_line_mode(policy, env, _isatty(io.stderr))
    show = mode == CONTEXT_ALWAYS or (mode == CONTEXT_DESTRUCTIVE_ONLY and classification.kind == DESTRUCTIVE)
    if show:
        from .render import context_line, terminal_width  # only when the line is shown
        io.say(context_line(context, protected, io.colour, terminal_width(io.stderr, env)))
    elif not context.known:
        io.say(_warning(f'context unknown: {context.reason}', io))


def _isatty(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _tty_colour(env):
    return not env.get('NO_COLOR') and env.get('TERM') != 'dumb'


def _fail_safe(argv, environment, exc):
    """The guard broke: destructive commands still ask ("context unknown"), others run with a warning."""
    env, io, open_tty = environment.env, environment, environment.open_tty
    try:
        io.say(_warning(f'internal error ({type(exc).__name__}); context unknown.', io))
        invocation = parse(argv, read_files=False, use_table=False)  # the guard broke: no files, no table
        try:
            classification = classify(invocation, load_confirm_commands())
        except Exception:  # pylint: disable=broad-except
            classification = Classification(DESTRUCTIVE, 'tokenguard could not classify the command',
                                            ' '.join(argv[:4]))
        selected = env.get(Variable.SUBSCRIPTION) or env.get(Variable.TENANT)  # selection.Selection.active
        if selected and classification.command.split()[:1] != ['tokenguard']:
            io.say(_warning('refused: this shell selected a subscription, and the guard that steers az '
                            'there failed; az was not run (it would land in the default).', io))
            return ExitCode.REFUSED_BY_PIN
        if classification.kind != DESTRUCTIVE:
            return ExitCode.RUN
        context = context_unknown(f'tokenguard internal error ({type(exc).__name__})')
        from .confirm import ask
        code, how = ask(invocation, classification, context, False, env, open_tty=open_tty, say=io.say,
                        colour=_tty_colour(env))
        _record_despite_failure(environment, invocation, context, classification, code=code, how=how)
        return code
    except KeyboardInterrupt:
        return ExitCode.REFUSED_BY_USER
    except Exception:  # pylint: disable=broad-except
        return ExitCode.GUARD_BROKEN  # the shell function falls back to its own destructive-word check


def _record_despite_failure(environment, invocation, context, classification, *, code, how):
    """The decision still goes to the audit log; whatever broke the guard may break this too: then nothing."""
    try:
        _recorder(default_config_dir(environment.env), invocation, context, classification, environment.clock)(
            CONFIRMED if code == ExitCode.RUN else REFUSED, how)
    except Exception:  # pylint: disable=broad-except
        pass
