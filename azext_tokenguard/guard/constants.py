"""The guard's named values in one place: exit statuses, command classes, decisions, outcomes and modes.

Plain classes with class attributes, not enum: the guard runs before every az command and enum costs import
time. The modules that used these names before keep them as aliases (``classify.DESTRUCTIVE`` is
``Kind.DESTRUCTIVE``). Standard library only, imports nothing.
"""


class ExitCode:  # pylint: disable=too-few-public-methods
    """Exit codes of ``launch.py`` (the shell function relies on them). Chosen away from az's own (0, 1, 2, 3,
    130)."""

    RUN = 0                    # let the shell function run the real az
    STEER = 40                 # run az with what the guard's stdout names added: --subscription <id>, --yes
    REFUSED_BY_USER = 41       # the person answered no (or Ctrl-C / EOF at the prompt)
    REFUSED_NO_TERMINAL = 42   # confirmation needed, no /dev/tty, no matching TOKENGUARD_CONFIRM
    REFUSED_BY_PIN = 43        # effective subscription/tenant differs from the shell's pin or selection
    REFUSED_GUARD_MISSING = 44  # used by the shell function only: guard gone, command looks destructive
    GUARD_BROKEN = 45          # launch.py could not load the guard; the shell falls back to its own check
    REFUSED_BY_POLICY = 46     # a sign-in rule forbids it: device code sign-in, or a user login on a CI agent
    REFUSED_READ_ONLY = 47     # read-only mode (TOKENGUARD_MODE or the policy): only reads go through
    REFUSED_VAULT_LOCKED = 48  # az's tokens are sealed in the vault: az vault unlock first
    ANSWERED = 49              # the guard printed az's answer (get-access-token from the cache): az is not run

    REFUSALS = (REFUSED_BY_USER, REFUSED_NO_TERMINAL, REFUSED_BY_PIN, REFUSED_GUARD_MISSING, REFUSED_BY_POLICY,
                REFUSED_READ_ONLY, REFUSED_VAULT_LOCKED)


class Variable:  # pylint: disable=too-few-public-methods
    """Environment variables the guard checks before it imports the module that acts on them."""

    SUBSCRIPTION = 'TOKENGUARD_SUBSCRIPTION'  # this shell's selection (az tokenguard use): selection.py
    TENANT = 'TOKENGUARD_TENANT'
    PIN_SUBSCRIPTION = 'TOKENGUARD_EXPECT_SUBSCRIPTION'  # this shell's pin: pin.py
    PIN_TENANT = 'TOKENGUARD_EXPECT_TENANT'


# The commands the guard may answer from az's token cache (fast_token.py) instead of running az.
GET_ACCESS_TOKEN = 'account get-access-token'
GET_TOKEN = 'tokenguard get-token'
ANSWERED_FROM_CACHE = (GET_ACCESS_TOKEN, GET_TOKEN)

VAULT_FILE_NAME = 'vault.json'  # in AZURE_CONFIG_DIR/tokenguard: only when it exists is vault_gate.py read


# The guard ends an ANSWERED output with this mark: the shell's $(...) drops trailing newlines, the mark keeps
# them, and the shell prints what comes before it.
ANSWER_END = '.'


class Steering:  # pylint: disable=too-few-public-methods
    """What the shell's selection (az tokenguard use) does with a command (selection.py's plan)."""

    NONE = 'none'      # no selection, or a command it does not apply to: the guard goes on as before
    STEER = 'steer'    # run az with --subscription <id> added
    KEEP = 'keep'      # run az as typed: it lands where the selection says, or where the command says itself
    REFUSE = 'refuse'  # az would land elsewhere and cannot be steered


class Kind:  # pylint: disable=too-few-public-methods
    """What a command does (classify.py), strongest first."""

    DESTRUCTIVE = 'destructive'
    SECRET = 'secret'  # reads whose response carries a credential: read-only mode refuses them
    WRITE = 'write'
    READ = 'read'
    CLASSES = (DESTRUCTIVE, SECRET, WRITE, READ)
    # What `classify --command/--file` reports for a call it cannot read (script.UnknownCall); never the class
    # of an argv: the guard sees az's own words.
    UNKNOWN = 'unknown'


class Decision:  # pylint: disable=too-few-public-methods
    """What the guard decides before anyone answers (decision.py)."""

    ALLOW = 'allow'
    CONFIRM = 'confirm'
    DENY = 'deny'


class Outcome:  # pylint: disable=too-few-public-methods
    """What the audit log records for one decision (audit.py)."""

    CONFIRMED = 'confirmed'
    REFUSED = 'refused'
    ALLOWED = 'allowed'  # an agent's request that the policy let through (agent/run.py)


class Mode:  # pylint: disable=too-few-public-methods
    """The machine's mode (policy ``mode``, ``TOKENGUARD_MODE``), a sign-in rule, and the context line's mode."""

    NORMAL = 'normal'
    READ_ONLY = 'read-only'
    MODES = (NORMAL, READ_ONLY)

    RULE_WARN = 'warn'
    RULE_DENY = 'deny'
    RULE_MODES = (RULE_WARN, RULE_DENY)

    CONTEXT_ALWAYS = 'always'
    CONTEXT_DESTRUCTIVE_ONLY = 'destructive-only'
    CONTEXT_OFF = 'off'
    CONTEXT_AUTO = 'auto'  # the default: always when stderr is a terminal, off in pipes
    CONTEXT_LINE_MODES = (CONTEXT_ALWAYS, CONTEXT_DESTRUCTIVE_ONLY, CONTEXT_OFF, CONTEXT_AUTO)
