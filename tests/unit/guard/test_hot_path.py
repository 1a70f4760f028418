"""What a plain read command costs: `az group list` through the guard reads only the guard modules every
command needs. A vault, a pin, a selection, a sign-in, a question or a printed line bring in their own module
only when they are there (guard/main.py)."""
import os
import subprocess
import sys

import pytest

from azext_tokenguard import guard

from tests.unit.guard.test_main import make_config_dir

LAUNCH = os.path.join(os.path.dirname(os.path.abspath(guard.__file__)), 'launch.py')
PREFIX = 'tokenguard_guard.'  # the name launch.py loads the guard package under
EVERY_COMMAND = {'az_files', 'az_json', 'classify', 'constants', 'decision', 'environment', 'errors', 'invocation',
                 'main', 'options', 'policy', 'profile', 'resource_ids', 'system'}


def modules_loaded(config_dir, *argv, **extra_env):
    """Every module the guard process imported for ``az argv``, from ``python -X importtime``."""
    env = {'PATH': os.environ.get('PATH', ''), 'AZURE_CONFIG_DIR': str(config_dir), **extra_env}
    done = subprocess.run([sys.executable, '-I', '-S', '-X', 'importtime', LAUNCH, *argv], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False, timeout=60)
    return done.returncode, {line.rsplit('|', 1)[-1].strip() for line in done.stderr.splitlines()
                             if 'import time:' in line}


def guard_modules_loaded(config_dir, *argv, **extra_env):
    """The guard modules the guard process imported for ``az argv``."""
    code, names = modules_loaded(config_dir, *argv, **extra_env)
    return code, {name[len(PREFIX):] for name in names if name.startswith(PREFIX)}


@pytest.fixture
def config_dir(tmp_path):
    return make_config_dir(tmp_path)


def test_a_plain_read_loads_only_what_every_command_needs(config_dir):
    code, loaded = guard_modules_loaded(config_dir, 'group', 'list')
    assert code == 0
    assert loaded == EVERY_COMMAND


@pytest.mark.parametrize('argv', [('group', 'list'), ('group', 'show', '--name', 'rg1', '--query', 'id'),
                                  ('account', 'get-access-token')])
def test_the_guard_does_not_import_os(config_dir, argv):
    """os costs 1.3 ms (system.py): the guard calls the posix functions it wraps."""
    code, loaded = modules_loaded(config_dir, *argv)
    assert code == 0 and 'os' not in loaded and 'posixpath' not in loaded


@pytest.mark.parametrize('argv, extra_env, brought_in', [
    (('group', 'list'), {'TOKENGUARD_EXPECT_SUBSCRIPTION': 'Dev Sub'}, 'pin'),
    (('group', 'list'), {'TOKENGUARD_SUBSCRIPTION': 'Dev Sub', 'TOKENGUARD_STEERING': '1'}, 'selection'),
    (('login', '--use-device-code'), {}, 'signin'),
    (('group', 'delete', '-n', 'rg1'), {}, 'confirm'),
])
def test_each_feature_brings_its_module_only_when_used(config_dir, argv, extra_env, brought_in):
    assert brought_in not in guard_modules_loaded(config_dir, 'group', 'list')[1]
    assert brought_in in guard_modules_loaded(config_dir, *argv, **extra_env)[1]


def test_the_vault_gate_is_read_only_with_a_vault(config_dir):
    assert 'vault_gate' not in guard_modules_loaded(config_dir, 'group', 'list')[1]
    (config_dir / 'tokenguard' / 'vault.json').write_text('{}', encoding='utf-8')
    assert 'vault_gate' in guard_modules_loaded(config_dir, 'group', 'list')[1]
