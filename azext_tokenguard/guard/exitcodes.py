"""Every exit code of the guard, in one place (the shell function relies on them)."""


class ExitCode:  # pylint: disable=too-few-public-methods
    """Exit codes of ``launch.py``.  Chosen away from az's own (0, 1, 2, 3, 130)."""

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


# The guard ends an ANSWERED output with this mark: the shell's $(...) drops trailing newlines, the mark keeps
# them, and the shell prints what comes before it.
ANSWER_END = '.'
