"""The guard's inputs as one object (guard/environment.py): what main() builds once and every step reads."""
import io

from azext_tokenguard.guard.constants import ExitCode
from azext_tokenguard.guard.environment import Environment
from azext_tokenguard.guard.main import guard


class Broken(io.StringIO):
    def write(self, text):
        raise OSError('stderr closed')


def no_terminal():
    raise OSError('no terminal')


def test_defaults_are_the_process_own():
    import os
    import sys
    environment = Environment()
    assert environment.env is os.environ and environment.stderr is sys.stderr and environment.stdout is sys.stdout


def test_colour_is_worked_out_on_first_use_from_the_stream_and_the_variables():
    environment = Environment({'NO_COLOR': '1'}, stderr=io.StringIO())
    assert environment._colour is None  # pylint: disable=protected-access
    assert environment.colour is False


def test_say_writes_one_line_and_survives_a_closed_stream():
    stderr = io.StringIO()
    Environment({}, stderr=stderr).say('tokenguard: hello')
    assert stderr.getvalue() == 'tokenguard: hello\n'
    Environment({}, stderr=Broken()).say('lost')  # 2>&- must not crash the guard


def test_the_guard_reads_its_inputs_from_the_environment(tmp_path):
    stderr, stdout = io.StringIO(), io.StringIO()
    environment = Environment({'AZURE_CONFIG_DIR': str(tmp_path)}, stderr=stderr, stdout=stdout,
                              open_tty=no_terminal, clock=lambda: 0)
    assert guard(['group', 'delete', '-n', 'rg1'], environment) == ExitCode.REFUSED_NO_TERMINAL
    assert 'no terminal' in stderr.getvalue() and stdout.getvalue() == ''
    log = (tmp_path / 'tokenguard' / 'audit.log').read_text(encoding='utf-8')
    assert '"time": "1970-01-01T00:00:00Z"' in log  # the record's time is the environment's clock
