"""Whether a command needs a person's confirmation, and asking for it on the terminal.

Rules:

* destructive commands always need confirmation; writes need it in a
  protected subscription; reads never;
* the question is asked on the controlling terminal (``/dev/tty``), never
  on stdin, so ``cat x | az ...`` still asks; the default answer is no;
* in a protected subscription the person types the subscription's name (or
  id); otherwise ``y``/``yes``;
* no terminal: refused, unless ``TOKENGUARD_CONFIRM`` equals the effective
  subscription's id or name -- a confirmation bound to one subscription,
  never a blanket yes.  It is read only when there is no terminal;
* az's own ``--yes``/``-y`` never skips tokenguard's confirmation (it only
  answers az's own prompt), protected subscription or not;
* an unknown context (missing/corrupt profile) still asks for destructive
  commands, saying "context unknown".
"""
from . import system
from .classify import DESTRUCTIVE, SECRET, WRITE, needs_confirmation  # noqa: F401  pylint: disable=unused-import
from .constants import ExitCode, Outcome
from .invocation import require
from .render import RED_BOLD, YELLOW_BOLD, clean, context_fields, paint

CONFIRM_ENV = 'TOKENGUARD_CONFIRM'
YES_ANSWERS = ('y', 'yes')
MAX_ANSWER_CHARS = 1024
MAX_COMMAND_DISPLAY = 400
AZ_YES_FLAGS = ('--yes', '-y')
TARGET_OPTIONS = (
    ('resource group', ('--resource-group', '-g')),
    ('name', ('--name', '-n')),
    ('ids', ('--ids',)),
    ('url', ('--url', '--uri', '-u')),
    ('scope', ('--scope',)),
    ('assignee', ('--assignee',)),
    ('vault', ('--vault-name',)),
)


class Terminal:
    """The controlling terminal, opened directly (not stdin/stdout)."""

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer

    def write(self, text):
        self.writer.write(text)
        self.writer.flush()

    def readline(self):
        return self.reader.readline(MAX_ANSWER_CHARS)

    def close(self):
        for stream in (self.reader, self.writer):
            try:
                stream.close()
            except OSError:
                pass


def open_terminal():
    """The terminal, or OSError when there is none (cron, CI, setsid, ssh without -t)."""
    if system.NAME == 'nt':
        reader = open('CONIN$', 'r', encoding='utf-8', errors='replace')  # pylint: disable=consider-using-with
        return Terminal(reader, open('CONOUT$', 'w', encoding='utf-8', errors='replace'))  # noqa
    reader = open('/dev/tty', 'r', encoding='utf-8', errors='replace')  # pylint: disable=consider-using-with
    try:
        writer = open('/dev/tty', 'w', encoding='utf-8', errors='replace')  # pylint: disable=consider-using-with
    except OSError:
        reader.close()
        raise
    return Terminal(reader, writer)


def az_yes_words(invocation, classification, confirm_commands):
    """``['--yes']`` when tokenguard has confirmed a command that az would ask about again (it is in az's
    confirmation list and its option table has --yes), so that one command asks one question; else []."""
    from .options import EXACT
    require(invocation)
    if classification.command not in confirm_commands or invocation.has_any(AZ_YES_FLAGS):
        return []
    options = invocation.table
    return ['--yes'] if options is not None and options.resolve('--yes')[1] == EXACT else []


def confirm_env_matches(context, env):
    """True when TOKENGUARD_CONFIRM names this command's one subscription (id, or name case-insensitively)."""
    value = (env.get(CONFIRM_ENV) or '').strip().lower()
    if not value or not context.known or context.other_subscription_ids:
        return False
    return value in (context.subscription_id.lower(), context.subscription_name.lower())


def targets(invocation):
    """``[(label, value)]`` the command names as typed: resource group, name, ids, url... (``--n rg1`` names
    rg1 too, when az's table says --n is --name)."""
    from .redact import REDACTED, redact_value  # only when asking: most commands never do
    require(invocation)
    options = invocation.typed_options
    found = []
    for label, names in TARGET_OPTIONS:
        values = invocation.typed_values(names)
        if values and options is not None and any(options.is_secret(name) for name in names):
            values = [REDACTED]  # the table says this --name is a secret (search service query-key delete)
        if values:
            found.append((label, ' '.join(clean(redact_value(v)) for v in values)))  # a SAS URL's sig= too
    return found


def command_display(invocation):
    import shlex  # only needed when asking
    from .redact import redact
    text = clean('az ' + shlex.join(redact(invocation)))
    return text if len(text) <= MAX_COMMAND_DISPLAY else text[:MAX_COMMAND_DISPLAY - 3] + '...'


def required_answer(context, protected):
    """The word to type: the subscription's name (or id) when protected and known, else None for y/N."""
    if protected and (context.subscription_name or context.subscription_id):
        return context.subscription_name or context.subscription_id
    return None


def answer_accepted(answer, context, required):
    answer = answer.strip().lower()
    if required is None:
        return answer in YES_ANSWERS
    accepted = {required.lower()}
    if context.subscription_id:
        accepted.add(context.subscription_id.lower())
    return bool(answer) and answer in accepted


PROMPT_TITLES = {
    DESTRUCTIVE: 'DESTRUCTIVE',
    SECRET: 'SECRET (returns credentials) in a protected subscription',
    WRITE: 'WRITE in a protected subscription',
}


def prompt_text(invocation, classification, context, protected, colour):
    """The question, naming command, reason, tenant, subscription, identity and visible targets."""
    title = PROMPT_TITLES.get(classification.kind, PROMPT_TITLES[WRITE])
    lines = [paint(f'tokenguard: {title} command: {command_display(invocation)}',
                   RED_BOLD if classification.kind == DESTRUCTIVE or protected else YELLOW_BOLD, colour)]
    rows = [('why', clean(classification.reason))] + context_fields(context, protected) + targets(invocation)
    lines.extend(f"  {label + ':':<13} {value}" for label, value in rows)
    if invocation.typed_has_any(AZ_YES_FLAGS):
        lines.append("  (az's --yes does not skip tokenguard's confirmation)")
    required = required_answer(context, protected)
    if required is None:
        lines.append('Run it? [y/N] ')
    else:
        lines.append(f'This subscription is protected. Type its name "{clean(required)}" to run it '
                     '(anything else cancels): ')
    return '\n'.join(lines)


def no_terminal_message(classification, context):
    where = (f'subscription {clean(context.subscription_name)} ({clean(context.subscription_id)})'
             if context.known else f'an unknown context ({clean(context.reason)})')
    return (f'tokenguard: refused {classification.kind} command "{classification.command}" in {where}: no terminal '
            f'to confirm on. In a script, set {CONFIRM_ENV}=<the subscription id> to confirm for that one '
            'subscription.')


# The decisions, and how each was reached, as the audit log records them.
CONFIRMED = Outcome.CONFIRMED
REFUSED = Outcome.REFUSED
# How a decision was reached.
HOW_TERMINAL = 'answered at the terminal'
HOW_CONFIRM_ENV = 'TOKENGUARD_CONFIRM'
HOW_NO_TERMINAL = 'no terminal'


def ask(invocation, classification, context, protected, env, *, open_tty, say, colour=True):
    """Ask for confirmation of a parsed command line; returns ``(ExitCode, how)``.  ``say`` writes one line to
    stderr."""
    require(invocation)
    try:
        terminal = open_tty()
    except (OSError, ValueError):
        if confirm_env_matches(context, env):
            say(f'tokenguard: {classification.kind} command confirmed for subscription '
                f'{clean(context.subscription_id)} by {CONFIRM_ENV}.')
            return ExitCode.RUN, HOW_CONFIRM_ENV
        say(no_terminal_message(classification, context))
        return ExitCode.REFUSED_NO_TERMINAL, HOW_NO_TERMINAL
    answer = ask_on_terminal(terminal, prompt_text(invocation, classification, context, protected, colour))
    if answer_accepted(answer, context, required_answer(context, protected)):
        return ExitCode.RUN, HOW_TERMINAL
    say('tokenguard: not confirmed; az was not run.')
    return ExitCode.REFUSED_BY_USER, HOW_TERMINAL


def ask_on_terminal(terminal, question):
    """Write the question, read one line; Ctrl-C and Ctrl-D count as no answer."""
    try:
        terminal.write(question)
        answer = terminal.readline()
        if not answer.endswith('\n'):
            terminal.write('\n')  # EOF (Ctrl-D): keep the shell prompt on its own line
    except KeyboardInterrupt:
        answer = ''
    finally:
        terminal.close()
    return answer
