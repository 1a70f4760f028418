"""The guard's exit codes, where callers found them before (constants.py holds them now)."""
from .constants import ANSWER_END, ExitCode  # noqa: F401  pylint: disable=unused-import
