"""Facts read off this machine for `scan`: who has a home directory. Kept apart so the pure modules take
them as arguments."""
import os


def passwd_lines(path="/etc/passwd"):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return []  # Windows, or a locked-down container: fall back to listing /home


def home_listing(home_root="/home"):
    try:
        return os.listdir(home_root)
    except OSError:
        return []


def readable(path):
    """Whether this user may list path: other people's homes are scanned only when they may (root may)."""
    return os.access(path, os.R_OK | os.X_OK)
