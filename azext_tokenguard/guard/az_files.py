"""One home for the facts about az's files that the guard and the extension share, and for the one way each
kind of file is read and written. Standard library only and cheap to import: the guard loads it before every
az command, and the extension imports it from here (the extension may import the guard's modules, never the
reverse).

- where: the config dir (``AZURE_CONFIG_DIR``, else ``~/.azure``, as az's ``get_config_dir``) and the names of
  the files in it, az's and tokenguard's own;
- limits: how large a profile or an INI file may be before tokenguard gives up on it;
- reading: ``read_bounded``, a regular file's bytes up to a limit, never blocking on a FIFO, and refusing a
  symlink where a link must not be followed; writing: ``write_private_file``, 0600 through a temp file and a
  rename;
- meaning: ``parse_profile`` (what azureProfile.json holds) and ``identity_of`` (who an entry signs in as,
  named as ``az account show`` names it).
"""
import stat

from . import az_json as json  # json.loads without importing json: az_json.py
from . import system
from .errors import FileAccessError, InvalidValueError

CONFIG_DIR_ENV = 'AZURE_CONFIG_DIR'
DEFAULT_CONFIG_DIR_NAME = '.azure'  # in the home directory
PROFILE_FILE_NAME = 'azureProfile.json'
CONFIG_FILE_NAME = 'config'
CLOUDS_FILE_NAME = 'clouds.config'
TOKEN_CACHE_BASENAME = 'msal_token_cache'  # .json in plain text, .bin when az encrypts it
SP_STORE_BASENAME = 'service_principal_entries'
TOKENGUARD_DIR_NAME = 'tokenguard'  # tokenguard's own state, inside the config dir
POLICY_FILE_NAME = 'policy.json'
PROMPT_STAMP_DIR_NAME = 'prompt-stamps'

# az sets no limit; 32 MiB holds tens of thousands of subscriptions. The guard reads what logout can clean.
MAX_PROFILE_BYTES = 32 * 1024 * 1024
MAX_CONFIG_BYTES = 1024 * 1024
PRIVATE_FILE_MODE = 0o600

SHELLS = ('bash', 'zsh', 'fish')  # the shells tokenguard writes code for (shell-init, pin)

USER = 'user'
SERVICE_PRINCIPAL = 'servicePrincipal'
MANAGED_IDENTITY = 'managedIdentity'
# The user.name az gives a managed identity (azure/cli/core/_profile.py); which one is in assignedIdentityInfo.
MANAGED_IDENTITY_NAMES = ('systemAssignedIdentity', 'userAssignedIdentity')

_READ_FLAGS = system.O_RDONLY | system.O_NONBLOCK | system.O_BINARY | system.O_CLOEXEC
_NOFOLLOW = system.O_NOFOLLOW
_READ_CHUNK = 1024 * 1024


class FileTooLargeError(FileAccessError):
    """A file over the limit its reader sets; the message reads after 'PATH is '."""


class NotRegularFileError(FileAccessError):
    """A symlink where none may be followed, or a FIFO, device or directory; the message reads after 'PATH is '."""


class ProfileFormatError(InvalidValueError):
    """azureProfile.json is not what az writes; the message is a one-line reason."""


def config_dir(env=None):
    """AZURE_CONFIG_DIR, else ~/.azure: az's own rule (azure.cli.core._environment.get_config_dir)."""
    env = system.environ() if env is None else env
    return env.get(CONFIG_DIR_ENV) or system.join(system.expanduser('~'), DEFAULT_CONFIG_DIR_NAME)


def tokenguard_dir(config_dir_path):
    """Where tokenguard keeps its own state inside a config dir."""
    return system.join(config_dir_path, TOKENGUARD_DIR_NAME)


# ---------------------------------------------------------------- reading and writing

def read_bounded(path, limit, *, follow_links=True):
    """The bytes of the regular file ``path``, or None when it does not exist.

    Opened without blocking (a FIFO planted in its place cannot hang the reader) and read only when it is a
    regular file. ``follow_links=False`` refuses a symlink, for files tokenguard owns or rewrites. Raises
    FileTooLargeError past ``limit`` bytes, NotRegularFileError, or OSError when it cannot be opened or read."""
    fd = _open_for_reading(path, follow_links)
    if fd is None:
        return None
    try:
        return read_regular_file(fd, limit)
    finally:
        system.close(fd)


def read_regular_file(fd, limit):
    """The bytes of the open file ``fd``, a regular file of at most ``limit`` bytes: read_bounded's reading half,
    for a caller that opens its files its own way (the scan, relative to a directory's descriptor)."""
    info = system.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFileError('not a regular file')
    if info.st_size > limit:
        raise FileTooLargeError(f'larger than {limit} bytes')
    chunks, total = [], 0
    while total <= limit:  # the file may have grown since fstat
        chunk = system.read(fd, min(_READ_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise FileTooLargeError(f'larger than {limit} bytes')
    return b''.join(chunks)


def _open_for_reading(path, follow_links):
    if not follow_links and not _NOFOLLOW and is_link(path):  # no O_NOFOLLOW (Windows): check first
        raise NotRegularFileError('a symlink')
    try:
        return system.open_fd(path, _READ_FLAGS | (0 if follow_links else _NOFOLLOW))
    except FileNotFoundError:
        return None
    except OSError as error:
        import errno  # only here: the guard's usual path never needs it
        if not follow_links and error.errno == errno.ELOOP:
            raise NotRegularFileError('a symlink') from None
        raise


def lstat_or_none(path):
    """The status of ``path`` itself (a link is not followed), or None when it is not there or cannot be read."""
    try:
        return system.lstat(path)
    except OSError:
        return None


def is_plain_file(path):
    """A regular file, not a link to one: a file az wrote itself."""
    info = lstat_or_none(path)
    return info is not None and stat.S_ISREG(info.st_mode)


def link_target(path):
    """Where the link ``path`` points; None when it is no link (or not there)."""
    try:
        return system.readlink(path)
    except OSError:
        return None


def is_link(path):
    """Whether ``path`` itself is a symlink (not followed); False when it is not there."""
    info = lstat_or_none(path)
    return info is not None and stat.S_ISLNK(info.st_mode)


def write_private_file(path, data):
    """Write ``data`` to ``path`` atomically and privately: a 0600 temp file in the same directory, fsync, then
    os.replace. A reader sees the old file or the new one, never half of one; a symlink at ``path`` is replaced,
    its target left alone. Raises OSError (the old file is then as it was)."""
    import os  # not needed on the guard's path, which never writes
    import tempfile
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp_path = tempfile.mkstemp(dir=directory, prefix='.' + os.path.basename(path) + '.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if os.name == 'posix':
            os.chmod(temp_path, PRIVATE_FILE_MODE)
        os.replace(temp_path, path)
    except BaseException:
        try:
            os.unlink(temp_path)
        except OSError:
            pass
        raise


# ---------------------------------------------------------------- what the profile means

def parse_profile(data):
    """The document of azureProfile.json's bytes (az writes a BOM): a dict whose ``subscriptions``, when
    present, is a list. Raises ProfileFormatError with a one-line reason."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ProfileFormatError((str(exc).splitlines() or ['empty'])[0][:120] or 'empty') from None
    if not isinstance(document, dict):
        raise ProfileFormatError('top level is not a JSON object')
    if not isinstance(document.get('subscriptions', []), list):
        raise ProfileFormatError("'subscriptions' is not a list")
    return document


def identity_of(user):
    """``(type, name)`` of who a profile entry signs in as, from its ``user``: type is user, servicePrincipal or
    managedIdentity, and the name is az's own (``az account show --query user.name``): an app id for a service
    principal, systemAssignedIdentity or userAssignedIdentity for a managed identity."""
    user = user if isinstance(user, dict) else {}
    name = user.get('name') if isinstance(user.get('name'), str) else ''
    if name in MANAGED_IDENTITY_NAMES or 'assignedIdentityInfo' in user:
        return MANAGED_IDENTITY, name
    kind = user.get('type')
    return (kind if kind in (USER, SERVICE_PRINCIPAL) else USER), name
