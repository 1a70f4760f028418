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


def exec_again_blanking(names, environ=None):
    """Replace this process by the same command line with the variables ``names`` set to "", when any has a value.

    Deleting a variable from os.environ does not change what /proc/<pid>/environ (or `ps eww`) shows of a
    process's initial environment, and a child may read its parent's: only a new execve drops the value there.
    The names stay, empty, so that the second run still knows (and says, with --verbose) which it kept from
    its child. Same pid, same open files and terminal; the first run simply ends here, and the second, finding
    no value, goes on. Off POSIX there is no process image to replace, and nothing to do."""
    environ = os.environ if environ is None else environ
    if os.name != "posix" or not any(environ.get(name) for name in names):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, sys.orig_argv, {**environ, **{name: "" for name in names if name in environ}})
