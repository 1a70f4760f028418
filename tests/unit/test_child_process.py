"""Unit tests of running exec's child: exit codes and signals come back as a shell would report them."""
import os
import sys

from azext_tokenguard.child_process import run_child


def test_exit_code_and_environment_reach_the_caller():
    code = run_child([sys.executable, "-c", "import os, sys; sys.exit(int(os.environ['TG_CODE']))"],
                     {**os.environ, "TG_CODE": "5"})
    assert code == 5


def test_a_child_ended_by_a_signal_reports_128_plus_the_signal():
    code = run_child([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"], dict(os.environ))
    assert code == 128 + 15
