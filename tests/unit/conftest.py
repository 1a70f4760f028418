"""Unit-test settings: reproducible hypothesis runs (tests/conftest.py prints the fuzz cases each parser took)."""
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
