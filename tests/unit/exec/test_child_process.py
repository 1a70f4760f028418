"""Unit tests of running exec's child: exit codes and signals come back as a shell would report them."""
import os
import subprocess
import sys

from azext_tokenguard.exec.child import exec_again_blanking, run_child


def test_exit_code_and_environment_reach_the_caller():
    code = run_child([sys.executable, "-c", "import os, sys; sys.exit(int(os.environ['TG_CODE']))"],
                     {**os.environ, "TG_CODE": "5"})
    assert code == 5


def test_a_child_ended_by_a_signal_reports_128_plus_the_signal():
    code = run_child([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"], dict(os.environ))
    assert code == 128 + 15


def test_starting_again_drops_a_variable_from_what_proc_shows_of_the_process():
    """Same pid, same command line, and the variable's value gone from /proc/self/environ (deleting it from
    os.environ alone does not do that); the name stays, empty."""
    script = ("import os, sys\n"
              "from azext_tokenguard.exec.child import exec_again_blanking\n"
              "print(os.getpid(), flush=True)\n"
              "exec_again_blanking(['TG_SECRET'])\n"
              "environ = open('/proc/self/environ', 'rb').read().split(b'\\0')\n"
              "print(b's3cret' in b''.join(environ), b'TG_SECRET=' in environ, sys.argv[1:])\n")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    result = subprocess.run([sys.executable, "-c", script, "--flag", "value"], capture_output=True, text=True,
                            cwd=repo, env={**os.environ, "TG_SECRET": "s3cret"}, check=True, timeout=60)
    first, second, last = result.stdout.splitlines()
    assert first == second  # the same process, started again
    assert last == "False True ['--flag', 'value']"


def test_nothing_is_started_again_when_no_such_variable_has_a_value():
    exec_again_blanking(["TG_NOT_SET", "TG_BLANK"], environ={"PATH": "/bin", "TG_BLANK": ""})  # returns
