"""Small file helpers shared by the unit tests."""
import os


def write(path, content, mode=0o600):
    """Write text or bytes to path (creating parent dirs) with the given mode; return the path as str."""
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    with open(path, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)
    return str(path)
