"""Unit-test settings: reproducible hypothesis runs, and a count of the fuzz cases each parser took."""
import collections

from hypothesis import settings

# derandomize: CI sees the same cases on every run, so a red run can be reproduced; database=None: no
# .hypothesis directory is written into the checkout.
settings.register_profile("tokenguard", derandomize=True, database=None, deadline=2000, print_blob=True)
settings.load_profile("tokenguard")

FUZZ_CASES = collections.Counter()


def pytest_terminal_summary(terminalreporter):
    if FUZZ_CASES:
        terminalreporter.write_sep("-", "fuzz cases tried per parser")
        for parser, count in sorted(FUZZ_CASES.items()):
            terminalreporter.write_line(f"fuzz: {parser}: {count} cases")
