"""guard/system.py: the guard's paths and variables without importing os, the same as os gives them."""
import os
import posixpath
import subprocess
import sys

from hypothesis import given, strategies as st

from azext_tokenguard.guard import system

PATH_PARTS = st.lists(st.sampled_from(['', '/', '//', '///', '.', '..', 'a', 'b.c', '~', 'ü', ' ']), max_size=8)
PATHS = PATH_PARTS.map(''.join)


@given(PATHS, st.lists(PATHS, max_size=3))
def test_join_is_posixpaths(path, parts):
    assert system.join(path, *parts) == posixpath.join(path, *parts)


@given(PATHS)
def test_dirname_and_normpath_are_posixpaths(path):
    assert system.dirname(path) == posixpath.dirname(path)
    assert system.normpath(path) == posixpath.normpath(path)


@given(PATHS)
def test_abspath_is_posixpaths(path):
    assert system.abspath(path) == posixpath.abspath(path)


@given(st.sampled_from(['~', '~/', '~/.azure', '~//x', 'a/~', '', '/~']),
       st.sampled_from(['/home/zoë', '/', '/home/a/', '//x']))
def test_expanduser_is_posixpaths(path, home):
    saved = os.environ.get('HOME')
    os.environ['HOME'] = home
    try:
        assert system.expanduser(path) == posixpath.expanduser(path)
    finally:
        if saved is None:
            del os.environ['HOME']
        else:
            os.environ['HOME'] = saved


def test_lexists_sees_a_dangling_link(tmp_path):
    (tmp_path / 'link').symlink_to(tmp_path / 'nowhere')
    assert system.lexists(str(tmp_path / 'link')) and not system.lexists(str(tmp_path / 'nowhere'))
    assert not system.lexists('bad\0path')


def test_without_os_the_variables_are_decoded_as_os_decodes_them():
    """In a process that never imported os, undecodable bytes come back as surrogates, as in os.environ."""
    code = ('import sys; sys.path.insert(0, sys.argv[1]); import system; env = system.environ(); '
            'print(ascii(env["TG_TEST"]), ascii(env["TG_PLAIN"]), "os" in sys.modules)')
    env = {b'TG_TEST': b'caf\xc3\xa9\xff', b'TG_PLAIN': b'x=y', b'PATH': os.environb.get(b'PATH', b'')}
    done = subprocess.run([sys.executable, '-I', '-S', '-c', code, os.path.dirname(system.__file__)], env=env,
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == [ascii('café\udcff'), ascii('x=y'), 'False']


def test_with_os_loaded_the_variables_are_its_live_mapping():
    assert system.environ() is os.environ
