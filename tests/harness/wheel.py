"""Build the tokenguard wheel from this checkout, the way a release would."""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE_FILES = ("setup.py", "README.md", "HISTORY.rst")


def build_wheel(out_dir):
    """Build in a scratch copy of the sources, so the checkout gets no build/ or egg-info litter and two
    test runs at once do not trip over each other. Returns the wheel's path."""
    with tempfile.TemporaryDirectory(prefix="tokenguard-src-") as scratch:
        for name in PACKAGE_FILES:
            shutil.copy2(REPO / name, scratch)
        shutil.copytree(REPO / "azext_tokenguard", Path(scratch) / "azext_tokenguard",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(out_dir), scratch], check=True, capture_output=True)
    (wheel,) = Path(out_dir).glob("tokenguard-*-py3-none-any.whl")
    return wheel
