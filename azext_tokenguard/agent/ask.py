"""ask mode's question, on the parent's terminal (/dev/tty). No terminal, or anything but yes, means no."""
import threading

_LOCK = threading.Lock()  # one question at a time, however many requests the child sends at once


def ask_on_terminal(question, tty_path="/dev/tty"):
    """True only when the user types y or yes at the terminal."""
    with _LOCK:
        try:
            with open(tty_path, "r+", encoding="utf-8", errors="replace") as tty:
                tty.write(f"\n{question} [y/N] ")
                tty.flush()
                answer = tty.readline()
        except OSError:
            return False
    return answer.strip().lower() in ("y", "yes")
