"""The `az` shim: written with absolute paths, never over a real az, never finding itself, removable."""
import os
import stat

import pytest

from azext_tokenguard.guard.shell_init import ShellInitError
from azext_tokenguard.guard.shim import SHIM_MARKER, install_shim, is_shim_file, real_az, remove_shim


@pytest.fixture
def real_bin(tmp_path):
    directory = tmp_path / 'real'
    directory.mkdir()
    az = directory / 'az'
    az.write_text('#!/bin/sh\necho real\n')
    az.chmod(0o755)
    return directory


def test_install_records_the_real_az_and_writes_a_private_executable(tmp_path, real_bin):
    shim_dir = tmp_path / 'bin'
    result = install_shim(str(shim_dir), '/usr/bin/python3', '/x/launch.py', f'{shim_dir}:{real_bin}')
    shim = shim_dir / 'az'
    assert result == {'shim': str(shim), 'realAz': str(real_bin / 'az'), 'firstOnPath': True,
                      'remove': f'az tokenguard shell-init --shim {shim_dir} --remove'}
    assert stat.S_IMODE(shim.stat().st_mode) == 0o700 and is_shim_file(str(shim))
    text = shim.read_text()
    assert text.splitlines()[1] == SHIM_MARKER and f"tg_az={real_bin / 'az'}" in text
    assert not [name for name in os.listdir(shim_dir) if name != 'az']  # no temp file left


def test_other_shims_and_the_shim_directory_are_never_the_real_az(tmp_path, real_bin):
    first = tmp_path / 'first'
    install_shim(str(first), '/p', '/l', str(real_bin))
    second = tmp_path / 'second'
    install_shim(str(second), '/p', '/l', f'{first}:{first}:{real_bin}')
    assert real_az(f'{first}:{second}:{real_bin}', '') == str(real_bin / 'az')
    assert real_az(f'{first}:{second}', '') == ''


def test_a_real_az_or_a_symlink_is_never_replaced_or_removed(tmp_path, real_bin):
    with pytest.raises(ShellInitError, match='not a tokenguard shim'):
        install_shim(str(real_bin), '/p', '/l', str(real_bin))
    with pytest.raises(ShellInitError):
        remove_shim(str(real_bin))
    linked = tmp_path / 'linked'
    linked.mkdir()
    install_shim(str(tmp_path / 'bin'), '/p', '/l', str(real_bin))
    (linked / 'az').symlink_to(tmp_path / 'bin' / 'az')
    with pytest.raises(ShellInitError):
        remove_shim(str(linked))
    assert (real_bin / 'az').read_text() == '#!/bin/sh\necho real\n' and (tmp_path / 'bin' / 'az').exists()


def test_remove(tmp_path, real_bin):
    install_shim(str(tmp_path / 'bin'), '/p', '/l', str(real_bin))
    assert remove_shim(str(tmp_path / 'bin'))['removed'] is True
    assert remove_shim(str(tmp_path / 'bin'))['removed'] is False


def test_no_az_at_all(tmp_path):
    with pytest.raises(ShellInitError, match='No az found'):
        install_shim(str(tmp_path / 'bin'), '/p', '/l', str(tmp_path / 'empty'))


def test_no_variable_lets_a_command_past_the_shim(tmp_path, real_bin):
    """0.3.0's shim skipped the guard for TOKENGUARD_GUARDED=1: now only tab completion goes straight to az."""
    import subprocess
    install_shim(str(tmp_path / 'bin'), '/gone/python3', '/gone/launch.py', str(real_bin))
    text = (tmp_path / 'bin' / 'az').read_text()
    assert 'TOKENGUARD_GUARDED' not in text
    env = {'PATH': f"{tmp_path / 'bin'}:{real_bin}:/usr/bin:/bin", 'TOKENGUARD_GUARDED': '1'}
    result = subprocess.run([str(tmp_path / 'bin' / 'az'), 'group', 'delete', '-n', 'rg1', '--yes'], env=env,
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 44 and result.stdout == ''  # the guard is gone here: the fallback refuses
