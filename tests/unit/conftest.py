"""Unit-test settings: reproducible hypothesis runs, and a count of the fuzz cases each parser took."""
import collections
import os
import tempfile

from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis also caches Unicode tables and source constants in ./.hypothesis: keep them out of the checkout.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    USER_ID = getattr(os, "getuid", lambda: 0)()
    set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "tokenguard-hypothesis-%d" % USER_ID))

# derandomize=True: the cases are derived from each test's own code, so CI runs the same cases every time and a
# red run reproduces locally (print_blob gives the exact failing input). database=None: no .hypothesis
# directory is written into the checkout, and no case saved by one machine changes what another runs.
# deadline: 2 s per case is the time bound of every parser under fuzzing (tests that feed megabytes set
# their own); it is generous, since each case takes milliseconds.
settings.register_profile("tokenguard", derandomize=True, database=None, deadline=2000, print_blob=True)
settings.load_profile("tokenguard")

FUZZ_CASES = collections.Counter()  # parser -> cases tried, filled by tests/unit/fuzz_support.count


def pytest_terminal_summary(terminalreporter):
    if not FUZZ_CASES:
        return
    terminalreporter.write_sep("-", "fuzz cases tried per parser")
    for parser, count in sorted(FUZZ_CASES.items()):
        terminalreporter.write_line(f"fuzz: {parser}: {count} cases")
    terminalreporter.write_line("fuzz: " + ", ".join(f"{parser} {count} cases" for parser, count in
                                                     sorted(FUZZ_CASES.items()))
                                + f"; {sum(FUZZ_CASES.values())} in all")
