"""The guard's decision for one az command line: ``main(argv) -> exit code``.

Order: classify -> load policy and context -> pin check -> context line ->
confirmation.  Writes only to stderr and the terminal, never stdout (az's
output must stay byte for byte the same).  Never a traceback: any failure
ends in ``_fail_safe`` (destructive commands still need confirmation).
"""
import os
import sys

from .classify import DESTRUCTIVE, READ, Classification, classify, load_confirm_commands
from .confirm import ask, needs_confirmation, open_terminal
from .exitcodes import ExitCode
from .pin import PIN_MISMATCH, PIN_UNVERIFIABLE, check_pin
from .policy import CONTEXT_ALWAYS, CONTEXT_AUTO, CONTEXT_DESTRUCTIVE_ONLY, CONTEXT_LINE_MODES, load_policy
from .profile import context_unknown, default_config_dir, load_context
from .render import colour_enabled, context_line, warning_line

CONTEXT_LINE_ENV = 'TOKENGUARD_CONTEXT_LINE'  # overrides the policy's mode for one shell or script
COMPLETION_ENV = '_ARGCOMPLETE'
HELP_WORDS = frozenset(('-h', '--help'))
# Command groups that act on the local az installation, not on a subscription:
# no pin check, no context line, no "context unknown" warning (confirmation still applies).
CONTEXT_FREE_GROUPS = frozenset((
    'login', 'logout', 'version', 'upgrade', 'config', 'configure', 'extension', 'cloud', 'bicep',
    'find', 'feedback', 'interactive', 'init', 'self-test', 'survey', 'cache', 'tokenguard',
))


class _Io:  # pylint: disable=too-few-public-methods
    """Where the guard writes: one line at a time to stderr; write errors are ignored (2>&- must not crash)."""

    def __init__(self, stderr, env):
        self.stderr = stderr
        self.colour = colour_enabled(stderr, env)

    def say(self, line):
        try:
            self.stderr.write(line + '\n')
            self.stderr.flush()
        except Exception:  # pylint: disable=broad-except
            pass


def main(argv=None, env=None, stderr=None, open_tty=None, cwd=None):
    """Exit code for the shell function: 0 runs az, ExitCode.REFUSED_* does not."""
    argv = list(sys.argv[1:] if argv is None else argv)
    env = os.environ if env is None else env
    io = _Io(sys.stderr if stderr is None else stderr, env)
    open_tty = open_tty or open_terminal
    try:
        return guard(argv, env, io, open_tty, cwd)
    except KeyboardInterrupt:
        io.say('tokenguard: cancelled; az was not run.')
        return ExitCode.REFUSED_BY_USER
    except Exception as exc:  # pylint: disable=broad-except
        return _fail_safe(argv, env, io, open_tty, exc)


def guard(argv, env, io, open_tty, cwd=None):
    if not argv or argv == ['--version'] or env.get(COMPLETION_ENV) or any(w in HELP_WORDS for w in argv):
        return ExitCode.RUN  # help, `az --version` and tab completion touch nothing
    config_dir = default_config_dir(env)
    classification = classify(argv, load_confirm_commands(config_dir))
    context_free = bool(classification.command) and classification.command.split()[0] in CONTEXT_FREE_GROUPS
    policy = load_policy(config_dir)
    if policy.error:
        io.say(warning_line('{}; every subscription is treated as protected.'.format(policy.error), io.colour))
    context = load_context(argv, config_dir, env, cwd)
    protected = is_protected(policy, context)
    if not context_free:
        refusal = _pin_refusal(context, env, classification, io)
        if refusal:
            return refusal
        _show_context(context, protected, classification, policy, env, io)
    if not needs_confirmation(classification.kind, protected):
        return ExitCode.RUN
    return ask(argv, classification, context, protected, env, open_tty, io.say, colour=_tty_colour(env))


def is_protected(policy, context):
    if policy.is_protected(context.subscription_name, context.subscription_id):
        return True
    return any(policy.is_protected('', other) for other in context.other_subscription_ids)


def _pin_refusal(context, env, classification, io):
    status, message = check_pin(context, env)
    if status == PIN_MISMATCH or (status == PIN_UNVERIFIABLE and classification.kind != READ):
        io.say(warning_line(message, io.colour))
        return ExitCode.REFUSED_BY_PIN
    if status == PIN_UNVERIFIABLE:
        io.say(warning_line(message, io.colour))
    return None


def context_line_mode(policy, env, stderr_is_tty):
    """always | destructive-only | off, from TOKENGUARD_CONTEXT_LINE, then the policy; auto -> tty or off."""
    mode = env.get(CONTEXT_LINE_ENV, '').strip().lower()
    if mode not in CONTEXT_LINE_MODES:
        mode = policy.context_line
    if mode == CONTEXT_AUTO:
        return CONTEXT_ALWAYS if stderr_is_tty else 'off'
    return mode


def _show_context(context, protected, classification, policy, env, io):
    mode = context_line_mode(policy, env, _isatty(io.stderr))
    show = mode == CONTEXT_ALWAYS or (mode == CONTEXT_DESTRUCTIVE_ONLY and classification.kind == DESTRUCTIVE)
    if show:
        io.say(context_line(context, protected, io.colour))
    elif not context.known:
        io.say(warning_line('context unknown: {}'.format(context.reason), io.colour))


def _isatty(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _tty_colour(env):
    return not env.get('NO_COLOR') and env.get('TERM') != 'dumb'


def _fail_safe(argv, env, io, open_tty, exc):
    """The guard broke: destructive commands still ask ("context unknown"), others run with a warning."""
    try:
        io.say(warning_line('internal error ({}); context unknown.'.format(type(exc).__name__), io.colour))
        try:
            classification = classify(argv, load_confirm_commands())
        except Exception:  # pylint: disable=broad-except
            classification = Classification(DESTRUCTIVE, 'tokenguard could not classify the command',
                                            ' '.join(argv[:4]))
        if classification.kind != DESTRUCTIVE:
            return ExitCode.RUN
        context = context_unknown('tokenguard internal error ({})'.format(type(exc).__name__))
        return ask(argv, classification, context, False, env, open_tty, io.say, colour=_tty_colour(env))
    except KeyboardInterrupt:
        return ExitCode.REFUSED_BY_USER
    except Exception:  # pylint: disable=broad-except
        return ExitCode.GUARD_BROKEN  # the shell function falls back to its own destructive-word check
