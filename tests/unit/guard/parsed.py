"""Command lines for the guard's readers, which take only a parsed invocation (guard/invocation.py)."""
from azext_tokenguard.guard.invocation import parse


def as_written(argv):
    """The command line parsed by name alone: no file read, no option table (what a reader given plain words
    saw before the one parse)."""
    return parse(list(argv), read_files=False, use_table=False)
