"""The guard's inputs as one object, as HTTPie's ``Environment``: the variables, the standard streams, how to
open the terminal, whether to colour, and the clock. main.py builds it once per command and hands it on;
a test builds its own. Colour is worked out on first use (most commands print nothing). Standard library only.
"""
import sys
import time

from . import system

# Variables CI systems set; any of them with a true-ish value means "this runs on a build agent".
CI_ENV_VARS = ("CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "BUILDKITE",
               "CIRCLECI", "TRAVIS", "TEAMCITY_VERSION", "BITBUCKET_BUILD_NUMBER",
               "CODEBUILD_BUILD_ID", "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI", "DRONE", "APPVEYOR")
_FALSY = ("", "0", "false", "no", "off")


def detect_ci(env):
    """Name of the first CI marker variable set in env, else None."""
    for name in CI_ENV_VARS:
        if str(env.get(name, '')).strip().lower() not in _FALSY:
            return name
    return None


def _open_terminal():
    from .confirm import open_terminal  # only when someone must be asked
    return open_terminal()


class Environment:  # pylint: disable=too-many-instance-attributes
    """``env``: the variables (a mapping); ``stdin``/``stdout``/``stderr``; ``open_tty()``: the terminal or
    OSError; ``clock()``: seconds since the epoch. The guard writes only to stderr (``say``), and to stdout only
    what the shell function adds to az's arguments."""

    __slots__ = ('env', 'stdin', 'stdout', 'stderr', 'open_tty', 'clock', '_colour')

    def __init__(self, env=None, *, stdin=None, stdout=None, stderr=None, open_tty=None, clock=None):  # pylint: disable=too-many-arguments
        self.env = system.environ() if env is None else env
        self.stdin = sys.stdin if stdin is None else stdin
        self.stdout = sys.stdout if stdout is None else stdout
        self.stderr = sys.stderr if stderr is None else stderr
        self.open_tty = open_tty or _open_terminal
        self.clock = clock or time.time
        self._colour = None

    @property
    def colour(self):
        """Whether stderr gets ANSI colour (NO_COLOR, TERM=dumb, a pipe: no)."""
        if self._colour is None:
            from .render import colour_enabled  # only when a line is written
            self._colour = colour_enabled(self.stderr, self.env)
        return self._colour

    def say(self, line):
        """One line on stderr; write errors are ignored (``2>&-`` must not crash the guard)."""
        try:
            self.stderr.write(line + '\n')
            self.stderr.flush()
        except Exception:  # pylint: disable=broad-except
            pass
