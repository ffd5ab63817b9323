"""Writing content files so that a crash never leaves one half-written.

A reader (the app, `git`, a trainer's editor) sees either the old file or the new one:
the new text goes to a hidden temporary file in the same folder, is flushed to disk, and
then renamed over the old one, which POSIX makes atomic. A temporary file left by a
killed process starts with a dot, so the content loader and snapshots ignore it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

TEMP_PREFIX = ".tmp-"


def _fsync_dir(folder: Path) -> None:
    # The rename itself must reach the disk, or a power cut could bring back the old name.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: str | bytes) -> None:
    """Replace `path` with `data` (text is written as UTF-8 with LF line ends)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temp = path.parent / f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(4)}"
    try:
        with open(temp, "xb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_dir(path.parent)


def is_hidden(path: Path) -> bool:
    """Dot-files: temporary files of interrupted saves, editor and OS litter."""
    return path.name.startswith(".")


def fsync_tree(root: Path) -> None:
    """Flush every file and folder under `root` (before renaming a finished snapshot)."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(Path(folder) / name, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(folder))


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (made if missing) across threads and processes.

    flock() locks belong to the open file, so two threads of one worker exclude each
    other as two workers do; the kernel lets go when a killed process's files close.
    """
    path = Path(path)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
