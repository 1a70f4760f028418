"""The operating-system calls on the guard's hot path, without importing ``os``.

``import os`` costs about 1.3 ms (os, posixpath and _collections_abc, which os.environ's mapping class needs):
a third of what the guard adds to every az command. On POSIX the guard calls the ``posix`` C module that os
wraps (``posix.open`` is ``os.open``) and handles its few paths here, as posixpath does; on Windows, and where
os is loaded already (the extension, the tests), it uses os itself. What the guard does off the hot path
(writing files, creating directories) imports os where it does it. Standard library only.
"""
import sys

try:
    import posix as _calls  # the C functions os re-exports on POSIX
    _POSIX = True
except ImportError:  # Windows: the guard takes os's nt functions and ntpath
    import os as _calls
    _POSIX = False

SEP = '/'
LINESEP = '\n' if _POSIX else '\r\n'
NAME = 'posix' if _POSIX else 'nt'
O_RDONLY = _calls.O_RDONLY
O_NOFOLLOW = getattr(_calls, 'O_NOFOLLOW', 0)
O_NONBLOCK = getattr(_calls, 'O_NONBLOCK', 0)
O_BINARY = getattr(_calls, 'O_BINARY', 0)
O_CLOEXEC = getattr(_calls, 'O_CLOEXEC', 0)
open_fd = _calls.open  # pylint: disable=invalid-name
read = _calls.read
fstat = _calls.fstat
lstat = _calls.lstat
close = _calls.close
readlink = _calls.readlink
getcwd = _calls.getcwd
get_terminal_size = _calls.get_terminal_size


def _os():
    import os  # Windows, or a path form this module leaves to posixpath
    return os


def environ():
    """The process's variables: os.environ where os is loaded (its live mapping), else posix's bytes decoded as
    os decodes them (the file system encoding, undecodable bytes kept as surrogates)."""
    loaded = sys.modules.get('os')
    if loaded is not None or not _POSIX:
        return (loaded or _os()).environ
    encoding = sys.getfilesystemencoding()
    return {key.decode(encoding, 'surrogateescape'): value.decode(encoding, 'surrogateescape')
            for key, value in _calls.environ.items()}


def join(path, *parts):
    """posixpath.join for str."""
    if not _POSIX:
        return _os().path.join(path, *parts)
    for part in parts:
        if part.startswith(SEP):
            path = part
        elif not path or path.endswith(SEP):
            path += part
        else:
            path += SEP + part
    return path


def dirname(path):
    """posixpath.dirname for str."""
    if not _POSIX:
        return _os().path.dirname(path)
    head = path[:path.rfind(SEP) + 1]
    return head.rstrip(SEP) if head and head != SEP * len(head) else head


def abspath(path):
    """posixpath.abspath for str."""
    if not _POSIX:
        return _os().path.abspath(path)
    return normpath(path if path.startswith(SEP) else join(getcwd(), path))


def normpath(path):
    """posixpath.normpath for str: '.', '..' and repeated slashes resolved by text, as POSIX allows two
    leading slashes to mean something else."""
    if not _POSIX:
        return _os().path.normpath(path)
    if not path:
        return '.'
    leading = 2 if path.startswith('//') and not path.startswith('///') else int(path.startswith(SEP))
    kept = []
    for part in path.split(SEP):
        if part in ('', '.'):
            continue
        if part != '..' or (not leading and not kept) or (kept and kept[-1] == '..'):
            kept.append(part)
        elif kept:
            kept.pop()
    return SEP * leading + SEP.join(kept) or '.'


def expanduser(path):
    """posixpath.expanduser for '~' and '~/...' with HOME set; any other form goes to os (pwd lookups)."""
    if not path.startswith('~'):
        return path
    home = environ().get('HOME')
    if not _POSIX or not home or (len(path) > 1 and path[1] != SEP):
        return _os().path.expanduser(path)
    return home.rstrip(SEP) + path[1:] or SEP


def lexists(path):
    """Whether ``path`` is there, a dangling link included."""
    try:
        lstat(path)
    except (OSError, ValueError):
        return False
    return True
