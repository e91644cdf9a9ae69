"""The installation's own secret key, generated on first start.

Without ``DJANGO_SECRET_KEY`` the settings use a key kept in a file (by default
``var/secret_key``, git-ignored): random, made once per installation, readable by
its owner only. Every later start, and every other process of the installation
(gunicorn workers, management commands), reads the same file.

Two processes starting together must agree on one key, so the file is written
whole under a temporary name and then hard-linked into place: the link fails if
another process got there first, and both then use that process's key.
"""

import os
import secrets
from pathlib import Path

KEY_BYTES = 50


def _read(path):
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise RuntimeError(f"The secret key file {path} is empty; delete it to make a new key.")
    return key


def load_or_create(path):
    """The key stored at ``path``, made (mode 0600, atomically) if there is none yet."""
    path = Path(path)
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(KEY_BYTES)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _read(path)  # another process was first: its key wins
    finally:
        temporary.unlink(missing_ok=True)
    return key
