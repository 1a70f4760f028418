"""The shell side of steering, in real bash, zsh, fish and sh: with ExitCode.STEER the function and the shim run
az with `--subscription <id>` added before a `--`, refuse a garbled id, and refuse when the guard cannot run
while a selection is active. A stand-in guard and az keep this fast; tests/e2e/test_use.py runs the real ones."""
import os
import subprocess

import pytest

from azext_tokenguard.guard.exitcodes import ExitCode
from azext_tokenguard.guard.shell_init import shell_init
from azext_tokenguard.guard.shim import render_shim

ID = '0b1f6471-1bf0-4dda-aec3-222222222222'


@pytest.fixture
def stand_ins(tmp_path):
    """A 'python' that prints $FAKE_OUT and exits $FAKE_RC (the guard), and an 'az' that prints its arguments."""
    guard = tmp_path / 'python'
    guard.write_text('#!/bin/sh\n[ "$TOKENGUARD_STEERING" = 1 ] || exit 99\n'
                     'printf "%s" "$FAKE_OUT"\nexit "${FAKE_RC:-0}"\n')
    az = tmp_path / 'az'
    az.write_text('#!/bin/sh\nfor word in "$@"; do printf "<%s>" "$word"; done\necho\n')
    launch = tmp_path / 'launch.py'
    launch.write_text('')
    for path in (guard, az):
        os.chmod(path, 0o755)
    return tmp_path, str(guard), str(launch), str(az)


def run_function(shell, stand_ins, args, **env):
    directory, guard, launch, az = stand_ins
    init = directory / f'init.{shell}'
    init.write_text(shell_init(shell, guard, launch, az))
    quoted = ' '.join("'" + a.replace("'", "'\\''") + "'" for a in args)
    if shell == 'fish':
        argv = ['fish', '--no-config', '-c', f'source {init}; az {quoted}']
    else:
        argv = [shell, '-c', f'. {init}; az {quoted}']
    return subprocess.run(argv, capture_output=True, text=True, env={'PATH': '/usr/bin:/bin', 'HOME': str(directory),
                                                                    **env}, check=False)


def run_shim(stand_ins, args, **env):
    directory, guard, launch, az = stand_ins
    shim_dir = directory / 'shim'
    shim_dir.mkdir(exist_ok=True)
    shim = shim_dir / 'az'
    shim.write_text(render_shim(str(shim_dir), guard, launch, az))
    os.chmod(shim, 0o700)
    return subprocess.run([str(shim), *args], capture_output=True, text=True,
                          env={'PATH': '/usr/bin:/bin', 'HOME': str(directory), **env}, check=False)


RUNNERS = {'bash': lambda s, a, **e: run_function('bash', s, a, **e),
           'zsh': lambda s, a, **e: run_function('zsh', s, a, **e),
           'fish': lambda s, a, **e: run_function('fish', s, a, **e),
           'shim': run_shim}


@pytest.fixture(params=sorted(RUNNERS))
def run(request, stand_ins):
    return lambda args, **env: RUNNERS[request.param](stand_ins, args, **env)


@pytest.mark.parametrize('args, expected', [
    (['group', 'list'], f'<group><list><--subscription><{ID}>'),
    (['group', 'show', '-n', 'a b', '--query', "[?x=='y']"], f"<group><show><-n><a b><--query><[?x=='y']>"
                                                              f'<--subscription><{ID}>'),
    (['ssh', 'vm', '-n', 'v', '--', '-L', '80:x:80', '--'], f'<ssh><vm><-n><v><--subscription><{ID}><--><-L>'
                                                              '<80:x:80><-->'),
    (['--', 'x'], f'<--subscription><{ID}><--><x>'),
])
def test_steer_adds_the_subscription_before_a_double_dash(run, args, expected):
    result = run(args, FAKE_OUT=ID + '\n', FAKE_RC=str(ExitCode.STEER))
    assert (result.returncode, result.stdout.strip()) == (0, expected), result.stderr


def test_run_passes_the_arguments_unchanged(run):
    result = run(['group', 'list'], FAKE_RC='0')
    assert result.stdout.strip() == '<group><list>'


@pytest.mark.parametrize('out, args, expected', [
    ('--yes', ['group', 'delete', '-n', 'rg1'], '<group><delete><-n><rg1><--yes>'),
    (f'{ID} --yes', ['group', 'delete', '-n', 'rg1'], f'<group><delete><-n><rg1><--subscription><{ID}><--yes>'),
    (f'{ID} --yes', ['x', '--', 'y'], f'<x><--subscription><{ID}><--yes><--><y>'),
])
def test_after_tokenguard_confirmed_az_gets_its_own_yes(run, out, args, expected):
    result = run(args, FAKE_OUT=out + '\n', FAKE_RC=str(ExitCode.STEER))
    assert (result.returncode, result.stdout.strip()) == (0, expected), result.stderr


@pytest.mark.parametrize('garbled', ['', 'a b', '$(touch pwned)', 'x;y', 'a b --yes', '--yes --yes', '-x --yes'])
def test_a_garbled_id_is_refused(run, garbled, stand_ins):
    result = run(['group', 'list'], FAKE_OUT=garbled, FAKE_RC=str(ExitCode.STEER))
    assert result.returncode == ExitCode.REFUSED_BY_PIN and result.stdout == ''
    assert 'named no subscription' in result.stderr
    assert not (stand_ins[0] / 'pwned').exists()


def test_a_broken_guard_with_a_selection_refuses_even_reads(run):
    result = run(['group', 'list'], FAKE_RC=str(ExitCode.GUARD_BROKEN), TOKENGUARD_SUBSCRIPTION=ID)
    assert result.returncode == ExitCode.REFUSED_BY_PIN and result.stdout == ''
    assert 'only the guard can steer az there' in result.stderr
    assert run(['group', 'list'], FAKE_RC=str(ExitCode.GUARD_BROKEN)).stdout.strip() == '<group><list>'
