"""One writer per data dir: an OS file lock that a crash or a kill releases by itself."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from backorder_desktop.cache.private_files import open_fd

if TYPE_CHECKING:
    from backorder_desktop.cache import Cache

LOCK_FILE = "instance.lock"
LOCK_WAIT_ENV = "BACKORDER_LOCK_WAIT_S"
DEFAULT_WAIT_S = 10.0  # a scheduled job started during another one's push waits this long


class AlreadyRunning(Exception):
    """Another Backorder Desktop (window or command) holds this data dir."""

    def __init__(self, data_dir: Path, pid: int | None) -> None:
        self.data_dir = data_dir
        self.pid = pid
        who = f" (process {pid})" if pid else ""
        super().__init__(
            f"Backorder Desktop is already running on {data_dir}{who}: the window or another "
            "command is using it. Close the window or wait for the command to finish, then try "
            "again. Nothing was changed."
        )


def lock_wait_s() -> float:
    """How long a command waits for the data dir (BACKORDER_LOCK_WAIT_S, default 10 s)."""
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_ENV, DEFAULT_WAIT_S)))
    except ValueError:
        return DEFAULT_WAIT_S


def _try_lock(handle: IO[bytes]) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class DataDirLock:
    """`with DataDirLock(data_dir).hold(wait_s):` or acquire()/release().

    The lock is an OS lock on an open file, not the file's existence: when the process ends,
    however it ends, the OS drops it, so a crash never leaves the data dir locked.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / LOCK_FILE
        self._handle: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def holder_pid(self) -> int | None:
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return int(text) if text.isdigit() else None

    def acquire(self, wait_s: float = 0.0, *, poll_s: float = 0.1) -> bool:
        if self._handle is not None:
            return True
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd = open_fd(self.path, os.O_RDWR | os.O_CREAT)  # never through a planted symlink
        handle = os.fdopen(fd, "r+b")
        deadline = time.monotonic() + wait_s
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                handle.close()
                return False
            time.sleep(poll_s)
        # The holder's pid, for the message a second instance shows.
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n".encode("ascii"))
        handle.flush()
        self._handle = handle
        return True

    def hold(self, wait_s: float = 0.0) -> DataDirLock:
        """Acquire or raise AlreadyRunning."""
        if not self.acquire(wait_s):
            raise AlreadyRunning(self.data_dir, self.holder_pid())
        return self

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()  # closing the file drops the OS lock

    def __enter__(self) -> DataDirLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def open_store_cache(data_dir: Path, path: Path, *, recover: bool) -> Cache:
    """Open a store's cache file. `recover=False` (a reader without the data dir lock): a
    schema migration writes the whole file, so it waits for the window or a writing command
    like one."""
    from backorder_desktop.cache.database import needs_migration, open_cache

    if not recover and needs_migration(path):
        with DataDirLock(data_dir).hold(lock_wait_s()):
            return open_cache(path, recover=recover)
    return open_cache(path, recover=recover)
