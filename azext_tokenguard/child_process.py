"""Run the command `az tokenguard exec` wraps: its exit code comes back, signals go through."""
import signal
import subprocess

# Ctrl-C reaches the whole foreground process group, child included: az only has to outlive the child.
# Signals sent to az alone (kill, a closing terminal) are passed on to the child.
_FORWARDED = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]


def run_child(argv, env):
    """Run argv with exactly the environment env; return its exit code (128 + signal number when a signal
    ended it)."""
    child = subprocess.Popen(argv, env=env)  # pylint: disable=consider-using-with
    previous = {}

    def forward(signum, _frame):
        child.send_signal(signum)

    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in _FORWARDED:
        previous[signum] = signal.signal(signum, forward)
    try:
        code = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - code if code < 0 else code
