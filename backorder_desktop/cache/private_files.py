"""Files holding customer data: created readable by the user only, never through a symlink.

Someone who can write into the data dir (another account on a shared computer, a folder left
writable by others) could plant a symlink named like our lock, cache or settings file so our
next write lands in a file of their choosing, or read what we write. So: the data dir must be
the user's own and writable by nobody else, and our files are opened with O_NOFOLLOW where the
platform has it (POSIX; Windows needs privileges to make symlinks at all).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import IO

POSIX = os.name == "posix"
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_BINARY = getattr(os, "O_BINARY", 0)
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class UnsafePathError(OSError):
    """A file or folder the app will not use; `str()` says why and what to do."""


def _refuse_link(path: Path, exc: OSError) -> UnsafePathError:
    return (
        UnsafePathError(
            f"{path} is a symbolic link, so Backorder Desktop did not open it (a link there can send "
            "customer data to another file). Delete the link and try again."
        )
        if exc.errno in (errno.ELOOP, errno.EMLINK)
        else UnsafePathError(str(exc))
    )


def open_fd(path: Path, flags: int, mode: int = PRIVATE_FILE) -> int:
    """os.open without following a symlink at `path`; new files get `mode` (0600)."""
    try:
        fd = os.open(path, flags | O_NOFOLLOW | O_BINARY, mode)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):
            raise _refuse_link(path, exc) from None
        raise
    if POSIX and flags & os.O_CREAT:
        try:
            os.fchmod(fd, mode)  # an existing file we overwrite becomes private too
        except OSError:
            pass  # not ours to change (e.g. a read-only share): the open itself was allowed
    return fd


def open_private(path: Path, mode: str = "w", **kwargs: object) -> IO[str]:
    """A text file created (or truncated) with mode 0600, refusing a symlink at `path`.

    `mode` is "w" (create or truncate) or "r"; keyword arguments go to os.fdopen
    (encoding, newline)."""
    if mode == "r":
        fd = open_fd(path, os.O_RDONLY)
    elif mode == "w":
        fd = open_fd(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    else:
        raise ValueError(f"unsupported mode {mode!r}")
    return os.fdopen(fd, mode, **kwargs)  # type: ignore[call-overload]


def read_text(path: Path, encoding: str = "utf-8") -> str:
    with open_private(path, "r", encoding=encoding) as handle:
        return handle.read()


def refuse_symlink(path: Path) -> None:
    """Raise UnsafePathError when `path` exists as a symlink (for files another library opens,
    such as SQLite's -wal and -shm)."""
    if path.is_symlink():
        raise _refuse_link(path, OSError(errno.ELOOP, "symbolic link"))


def check_private_dir(path: Path) -> None:
    """Refuse a folder owned by another user or writable by group or others (POSIX)."""
    if not POSIX:
        return
    info = path.stat()  # a data dir that is itself a link to the user's own folder is fine
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafePathError(f"{path} is not a folder.")
    if info.st_uid != os.geteuid():
        raise UnsafePathError(
            f"The data folder {path} belongs to another user (uid {info.st_uid}), so Backorder "
            "Desktop will not keep customer data and settings there. Choose a folder of your own "
            "with --data-dir, or have its owner hand it over (chown)."
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafePathError(
            f"The data folder {path} can be changed by other users (permissions "
            f"{stat.filemode(info.st_mode)}), so Backorder Desktop will not use it. Make it "
            f"yours alone with: chmod 700 '{path}'"
        )


def ensure_private_dir(path: Path) -> Path:
    """Create `path` readable by the user only, or check an existing one (see
    check_private_dir) and take read access from others."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    check_private_dir(path)
    if POSIX:
        path.chmod(PRIVATE_DIR)
    return path
