"""A content folder as one compressed archive, and back: how an edition's files travel
through the database (see editions.py). No Flask.

The archive is a gzip-compressed tar of the folder's regular files (markdown, YAML,
media), hidden files left out, in a fixed order with fixed times, owners and modes: the
same folder always packs to the same bytes, so its SHA-256 names its content.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
from pathlib import Path, PurePosixPath


class ArchiveError(Exception):
    """An archive that is not a plain tree of files."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files(folder: Path) -> list[tuple[str, Path]]:
    found = []
    for parent, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            path = Path(parent) / name
            if not name.startswith(".") and path.is_file():
                found.append((path.relative_to(folder).as_posix(), path))
    return sorted(found)


def pack(folder: Path) -> bytes:
    """The folder's files as a deterministic .tar.gz."""
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=6) as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name, path in _files(Path(folder)):
            data = path.read_bytes()
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and not name.startswith(".")


def unpack(data: bytes, folder: Path) -> None:
    """Write the archive's files under `folder` (which must not exist yet)."""
    folder = Path(folder)
    folder.mkdir(parents=True)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                if not member.isfile() or not _safe(member.name):
                    raise ArchiveError(f"not a plain file: {member.name!r}")
            tar.extractall(folder, members=members, filter="data")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise ArchiveError(str(e)) from e
