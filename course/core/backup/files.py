"""Files of a backup: copied to new files of mode 600 in folders of mode 700, and hashed."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from course.core.files import TEMP_PREFIX


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)


def copy_private(source: Path, target: Path) -> None:
    """Copy a file to a new file of mode 600 (never over an existing one)."""
    private_dir(target.parent)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with source.open("rb") as src, os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())


def file_entry(root: Path, relative: PurePosixPath) -> dict:
    path = root / relative
    return {"path": str(relative), "size": path.stat().st_size, "sha256": sha256(path)}


def regular_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        # Not the temporary files of an interrupted save (course/core/files.py).
        if path.is_file() and not path.is_symlink() and not path.name.startswith(TEMP_PREFIX):
            yield path
