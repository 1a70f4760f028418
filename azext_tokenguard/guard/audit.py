"""The audit trail: one JSON line per guard decision on a destructive command, a device-code sign-in or
a pin, and per request of an `az tokenguard agent` run (agent/run.py, with the run's id), in
``AZURE_CONFIG_DIR/tokenguard/audit.log`` (0600, in the 0700 tokenguard dir).

Appending is O(1): a size check, perhaps one rename (rotation to ``audit.log.1`` past MAX_LOG_BYTES), one
write in O_APPEND mode. It never reads the log, so a corrupt or huge log cannot slow or break the guard, and
a failure to write is reported by the return value only: the guard's decision stands either way.
Standard library only.
"""
import datetime
import json
import os
import stat

from .confirm import CONFIRMED, REFUSED
from .constants import Outcome
from .policy import POLICY_DIR_NAME, ensure_private_dir
from .redact import redact

LOG_FILE_NAME = 'audit.log'
MAX_LOG_BYTES = 1024 * 1024
LOG_FILE_MODE = 0o600
MAX_COMMAND_CHARS = 2000
MAX_READ_BYTES = 4 * MAX_LOG_BYTES  # `audit show` reads the newest part of a log that grew past its limit

ALLOWED = Outcome.ALLOWED
DECISIONS = (CONFIRMED, REFUSED, ALLOWED)


def log_path(config_dir):
    return os.path.join(config_dir, POLICY_DIR_NAME, LOG_FILE_NAME)


def entry(decision, how, invocation, context, classification_kind, *, now):  # pylint: disable=too-many-arguments
    """The record for one decision on a parsed command line (invocation.parse); the command line is redacted
    before it is kept anywhere."""
    import shlex  # only needed when something is recorded
    command = 'az ' + shlex.join(redact(invocation))
    return {
        'time': datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'decision': decision, 'how': how, 'class': classification_kind,
        'tenantId': context.tenant_id or None, 'tenant': context.tenant_display_name or None,
        'subscriptionId': context.subscription_id or None, 'subscription': context.subscription_name or None,
        'identity': context.identity_name or None, 'contextKnown': bool(context.known),
        'command': command[:MAX_COMMAND_CHARS],
        **({'selection': context.selection_id} if getattr(context, 'selection_id', '') else {}),
    }


def append(config_dir, record):
    """Append one record; True when written. Rotates first when the log has reached MAX_LOG_BYTES."""
    try:
        directory = ensure_private_dir(os.path.join(config_dir, POLICY_DIR_NAME))
        path = os.path.join(directory, LOG_FILE_NAME)
        _rotate_if_full(path)
        line = (json.dumps(record, sort_keys=True) + '\n').encode('utf-8')
        # O_NONBLOCK: a FIFO planted as audit.log fails at once instead of hanging the guard.
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0)
        fd = os.open(path, flags, LOG_FILE_MODE)
        try:
            return _is_private_file(fd) and _write_whole_line(fd, line)
        finally:
            os.close(fd)
    except (OSError, ValueError, TypeError):
        return False


def _is_private_file(fd):
    """Only a regular file is written; one left readable by others (created by hand) is made 0600 first."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        return False
    if os.name == 'posix' and stat.S_IMODE(info.st_mode) != LOG_FILE_MODE:
        os.fchmod(fd, LOG_FILE_MODE)
    return True


def _write_whole_line(fd, line):
    """One write per line, so concurrent guards never interleave inside a line. On a full disk the write
    can stop part-way: the partial line is cut off again, so readers never meet half a record."""
    start = os.fstat(fd).st_size
    try:
        complete = os.write(fd, line) == len(line)
    except OSError:
        complete = False
    if not complete:
        os.ftruncate(fd, start)
    return complete


def _rotate_if_full(path):
    try:
        if os.lstat(path).st_size >= MAX_LOG_BYTES:
            os.replace(path, path + '.1')
    except FileNotFoundError:
        pass


# ---------------------------------------------------------------- reading (az tokenguard audit show)

def read_records(config_dir, since=None, decision=None, run=None):
    """``(records, skipped)``: the records of audit.log.1 then audit.log, oldest first, filtered by time
    (``since``: a UTC 'YYYY-MM-DDTHH:MM:SSZ' string), decision and agent run id; ``skipped`` counts unreadable
    lines."""
    path = log_path(config_dir)
    records, skipped = [], 0
    for name in (path + '.1', path):
        for line in _tail_lines(name):
            record = _parse(line)
            if record is None:
                skipped += 1
            elif _matches(record, since, decision, run):
                records.append(record)
    return records, skipped


def _matches(record, since, decision, run):
    return (since is None or record['time'] >= since) and (decision is None or record['decision'] == decision) \
        and (run is None or record.get('run') == run)


def _tail_lines(path):
    try:
        with open(path, 'rb') as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_READ_BYTES:
                handle.seek(size - MAX_READ_BYTES)
                handle.readline()  # drop the partial first line
            data = handle.read(MAX_READ_BYTES)
    except OSError:
        return []
    return [line for line in data.split(b'\n') if line.strip()]


def _parse(line):
    try:
        record = json.loads(line.decode('utf-8'))
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get('time'), str) \
            or record.get('decision') not in DECISIONS:
        return None
    return record
