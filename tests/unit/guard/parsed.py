"""Command lines for the guard's readers, which take only a parsed invocation (guard/invocation.py)."""
from azext_tokenguard.guard.invocation import parse


def as_written(argv):
    """The command line parsed by name alone: no file read, no option table (what a reader given plain words
    saw before the one parse)."""
    return parse(list(argv), read_files=False, use_table=False)


def redacted(argv):
    """The words as typed with secret values hidden, as the audit log and the prompt show them (az's option
    table read for the command; no file read)."""
    return list(parse(list(argv), read_files=False).redacted)
