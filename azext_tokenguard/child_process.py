"""Run the command `az tokenguard exec` wraps: its exit code comes back, signals go through."""
import os
import signal
import subprocess
import sys

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


def exec_again_without(names, environ=None):
    """Replace this process by the same command line without the variables ``names``, when any is set.

    Deleting a variable from os.environ does not change what /proc/<pid>/environ (or `ps eww`) shows of a
    process's initial environment, and a child may read its parent's: only a new execve drops it there. Same
    pid, same open files and terminal; the first run simply ends here. Nothing happens when none is set, so
    the second run goes on. Off POSIX there is no such process image to replace, and nothing to do."""
    environ = os.environ if environ is None else environ
    if os.name != "posix" or not any(name in environ for name in names):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, sys.orig_argv, {key: value for key, value in environ.items() if key not in names})
