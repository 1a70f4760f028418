"""libfaketime for a process tree, without its shared-memory race.

libfaketime keeps a semaphore and a shared-memory segment, named in FAKETIME_SHARED. When that variable is unset,
the first preloaded process creates both under its own pid, and destroys them at exit; but a fork of that process
(a bash subshell, for one) inherits the creator's flag and destroys them too when it exits, and every later
process of the tree then dies with "sem_open failed and recreation attempts failed". So the test run creates the
two objects itself, once, and hands them to every preloaded process: none of them is the creator, none removes
them, and they are removed when the test run ends.
"""
import atexit
import ctypes
import ctypes.util
import datetime
import os
import time

LIBRARY_PATHS = ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                 "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1")
# Larger than libfaketime's struct ft_shared_s (ticks, file index and three start times); all zero is "no ticks".
SHARED_SIZE = 4096
_shared_names = []


def faketime_env(**settings):
    """The environment that runs a process tree on libfaketime's clock: FAKETIME=..., FAKETIME_TIMESTAMP_FILE=..."""
    return {"LD_PRELOAD": faketime_library(), "FAKETIME_SHARED": _shared_objects(), **settings}


def faketime_library():
    """libfaketime (Debian's faketime package, installed by `make shells`)."""
    for path in LIBRARY_PATHS:
        if os.path.exists(path):
            return path
    raise AssertionError("libfaketime is missing: run `make shells` (apt-get install faketime)")


def _shared_objects():
    if not _shared_names:
        tag = f"tokenguard_tests_{os.getpid()}"
        semaphore, memory = f"/faketime_sem_{tag}", f"/faketime_shm_{tag}"
        _create_semaphore(semaphore)
        _create_shared_memory(memory)
        _shared_names.extend([semaphore, memory])
        atexit.register(_remove_shared_objects)
    semaphore, memory = _shared_names
    return f"{semaphore} {memory}"


def _libc():
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.sem_open.restype = ctypes.c_void_p
    libc.sem_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_uint]
    libc.sem_close.argtypes = [ctypes.c_void_p]
    libc.sem_unlink.argtypes = [ctypes.c_char_p]
    libc.shm_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint]
    libc.shm_unlink.argtypes = [ctypes.c_char_p]
    return libc


def _create_semaphore(name):
    libc = _libc()
    handle = libc.sem_open(name.encode(), os.O_CREAT | os.O_EXCL, 0o600, 1)
    if handle in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), f"sem_open {name}")
    libc.sem_close(handle)


def _create_shared_memory(name):
    descriptor = _libc().shm_open(name.encode(), os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    if descriptor < 0:
        raise OSError(ctypes.get_errno(), f"shm_open {name}")
    try:
        os.ftruncate(descriptor, SHARED_SIZE)
    finally:
        os.close(descriptor)


def _remove_shared_objects():
    semaphore, memory = _shared_names
    libc = _libc()
    libc.sem_unlink(semaphore.encode())
    libc.shm_unlink(memory.encode())


# A time zone az and the guard both read: UTC+05:30, so expiresOn shows local time, not UTC.
ZONE, ZONE_OFFSET_S = "IST-5:30", 5 * 3600 + 30 * 60


def frozen_clock_env():
    """The variables that stop the clock at this second, in UTC+05:30, for az and the guard alike: az prints a
    token's expiry as now plus the seconds left, so two runs a second boundary apart could differ."""
    now = int(time.time())
    local = datetime.datetime.fromtimestamp(now, datetime.timezone.utc) + datetime.timedelta(seconds=ZONE_OFFSET_S)
    return {**faketime_env(FAKETIME=local.strftime("%Y-%m-%d %H:%M:%S")), "TZ": ZONE}
