"""ask mode's question, on the parent's terminal (/dev/tty). No terminal, or anything but yes, means no."""
import os
import threading

_LOCK = threading.Lock()  # one question at a time, however many requests the child sends at once
MAX_ANSWER_BYTES = 1024


def ask_on_terminal(question, tty_path="/dev/tty"):
    """True only when the user types y or yes at the terminal. The tty is opened unbuffered (a text-mode
    'r+' open of a tty fails: it is not seekable); in canonical mode one read returns one typed line."""
    with _LOCK:
        try:
            fd = os.open(tty_path, os.O_RDWR | getattr(os, "O_NOCTTY", 0))
        except OSError:
            return False
        try:
            os.write(fd, f"\n{question} [y/N] ".encode("utf-8", "replace"))
            answer = os.read(fd, MAX_ANSWER_BYTES).decode("utf-8", "replace")
        except OSError:
            return False
        finally:
            os.close(fd)
    return answer.strip().lower() in ("y", "yes")
