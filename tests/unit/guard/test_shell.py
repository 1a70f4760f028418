"""shell-init output, pin exports, and launching the guard standalone (stdlib only)."""
import os
import subprocess
import sys

import pytest

from azext_tokenguard.guard.exitcodes import ExitCode
from azext_tokenguard.guard.pin import PinError, pin_exports
from azext_tokenguard.guard.shell_init import ShellInitError, launch_path, shell_init

LAUNCH = launch_path()


@pytest.mark.parametrize('shell', ['bash', 'zsh'])
def test_shell_init_text(shell):
    text = shell_init(shell, '/opt/az python/bin/python3', LAUNCH, '/usr/bin/az')
    assert 'function az {' in text
    assert '"$__tokenguard_python" -I -S "$__tokenguard_launch" "$@"' in text
    assert '__tokenguard_run_az "$@"' in text and '"$__tokenguard_az" "$@"' in text
    assert "__tokenguard_python='/opt/az python/bin/python3'" in text
    assert '_ARGCOMPLETE' in text and 'unalias az' in text
    assert 'shell-init --shell {}'.format(shell) in text
    for code in ExitCode.REFUSALS:
        assert str(code) in text


def test_shell_init_rejects_bad_input():
    with pytest.raises(ShellInitError):
        shell_init('tcsh', sys.executable, LAUNCH, '')
    with pytest.raises(ShellInitError):
        shell_init('bash', '', LAUNCH, '')
    with pytest.raises(ShellInitError):
        shell_init('fish', sys.executable, 'a\nrm -rf ~', '')
    with pytest.raises(ShellInitError):
        shell_init('bash', sys.executable, 'a\nrm -rf ~', '')


def test_shell_init_runs_in_bash(tmp_path):
    fake_az = tmp_path / 'az'
    fake_az.write_text('#!/bin/sh\nfor a in "$@"; do printf "[%s]" "$a"; done; exit 7\n')
    fake_az.chmod(0o755)
    init = shell_init('bash', sys.executable, LAUNCH, str(fake_az))
    script = init + '\naz group list --query "[?a==\'b c\']" @f.txt ""; echo " status=$?"\n'
    env = dict(os.environ, AZURE_CONFIG_DIR=str(tmp_path))
    result = subprocess.run(['bash', '--norc', '-c', script], env=env, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=60, check=False)
    assert result.stdout == "[group][list][--query][[?a=='b c']][@f.txt][] status=7\n"


def test_shell_fallback_when_guard_is_gone(tmp_path):
    fake_az = tmp_path / 'az'
    fake_az.write_text('#!/bin/sh\necho ran "$@"\n')
    fake_az.chmod(0o755)
    init = shell_init('bash', '/nonexistent/python', LAUNCH, str(fake_az))
    script = init + '\naz group list; az group delete -n x; echo "s=$?"; az rest -m DELETE -u x; echo "s=$?"\n'
    result = subprocess.run(['bash', '--norc', '-c', script], capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.stdout == 'ran group list\ns=44\ns=44\n'
    assert result.stderr.count('guard cannot run') == 1


def test_pin_exports():
    assert pin_exports('bash', subscription='Prod Sub') == "export TOKENGUARD_EXPECT_SUBSCRIPTION='Prod Sub'\n"
    assert pin_exports('zsh', tenant='contoso.com') == 'export TOKENGUARD_EXPECT_TENANT=contoso.com\n'
    assert pin_exports('bash', clear=True) == 'unset TOKENGUARD_EXPECT_SUBSCRIPTION TOKENGUARD_EXPECT_TENANT\n'
    assert pin_exports('bash', subscription="a'; rm -rf ~; '") == (
        "export TOKENGUARD_EXPECT_SUBSCRIPTION='a'\"'\"'; rm -rf ~; '\"'\"''\n")
    assert pin_exports('fish', subscription="a'b") == "set -gx TOKENGUARD_EXPECT_SUBSCRIPTION 'a\\'b'\n"
    assert pin_exports('fish', clear=True) == 'set -e TOKENGUARD_EXPECT_SUBSCRIPTION; set -e TOKENGUARD_EXPECT_TENANT\n'
    for bad in (dict(shell='tcsh', clear=True), dict(shell='bash'), dict(shell='bash', subscription=' '),
                dict(shell='bash', subscription='a\nb'), dict(shell='bash', clear=True, tenant='t')):
        with pytest.raises(PinError):
            pin_exports(**bad)


def test_launch_is_standalone_and_imports_no_azure(tmp_path):
    probe = (
        'import runpy, sys\n'
        'sys.argv = ["launch.py", "group", "list"]\n'
        'code = runpy.run_path({!r})["run"]()\n'  # launch's own run(): as __main__ it ends the process at once
        'loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("azure", "knack", "colorama", "msal", '
        '"azext_tokenguard"))\n'
        'print(code, loaded)\n').format(LAUNCH)
    env = dict(os.environ, AZURE_CONFIG_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, '-I', '-S', '-c', probe], env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.stdout == '0 []\n', result.stderr


def test_launch_exits_with_the_guards_code_and_flushes_what_it_wrote(tmp_path):
    """launch.py ends the process without the interpreter's clean-up: the exit code and buffered output survive."""
    env = dict(os.environ, AZURE_CONFIG_DIR=str(tmp_path), TOKENGUARD_MODE='read-only')
    result = subprocess.run([sys.executable, '-I', '-S', LAUNCH, 'group', 'delete', '--name', 'rg1'], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 47  # REFUSED_READ_ONLY
    assert result.stderr.startswith('tokenguard: refused: read-only mode (TOKENGUARD_MODE=read-only)')


def test_launch_exit_codes(tmp_path):
    env = dict(os.environ, AZURE_CONFIG_DIR=str(tmp_path))
    run = subprocess.run([sys.executable, '-I', '-S', LAUNCH, 'group', 'delete', '-n', 'x'], env=env,
                         capture_output=True, text=True, timeout=60, check=False, start_new_session=True)
    assert run.returncode == ExitCode.REFUSED_NO_TERMINAL and run.stdout == '' and 'Traceback' not in run.stderr


@pytest.mark.parametrize('shell', ['bash', 'zsh', 'fish'])
def test_without_its_recorded_az_the_function_runs_the_real_az_past_a_shim(tmp_path, shell):
    """By path, never by a variable: no TOKENGUARD_* variable is how the function and the shim avoid each other."""
    from azext_tokenguard.guard.shim import install_shim
    real = tmp_path / 'real'
    real.mkdir()
    (real / 'az').write_text('#!/bin/sh\necho "real az: $*"\n')
    (real / 'az').chmod(0o755)
    shims = tmp_path / 'shims'
    install_shim(str(shims), '/gone/python3', '/gone/launch.py', str(real))
    code = shell_init(shell, '/gone/python3', LAUNCH, '')  # no az recorded: found on PATH
    assert 'TOKENGUARD_GUARDED' not in code
    script = tmp_path / 'rc'
    script.write_text(code + '\n__tokenguard_run_az group list\n')
    env = {**os.environ, 'PATH': f'{shims}:{shims}:{real}:/usr/bin:/bin', 'TOKENGUARD_GUARDED': '1'}
    argv = [shell, '--no-config', str(script)] if shell == 'fish' else [shell, str(script)]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=30, check=False)
    assert result.stdout == 'real az: group list\n', result.stderr
    alone = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False,
                           env={**env, 'PATH': f'{shims}:/usr/bin:/bin'})
    assert alone.returncode == 127 and 'no az found on PATH besides tokenguard shims' in alone.stderr
