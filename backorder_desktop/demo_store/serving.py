"""What the demo's servers (the store, the mail sink, the mailbox) share: `with` and a thread."""

from __future__ import annotations

import socketserver
import threading
from types import TracebackType
from typing import Self


class Served:
    """`with Server(...) as server:` starts it and stops it again (each server defines both)."""

    def start(self) -> object:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_in_thread(
    server: socketserver.BaseServer, name: str, poll_interval: float = 0.5
) -> threading.Thread:
    """`server.serve_forever()` on a started daemon thread; `server.shutdown()` ends it."""
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": poll_interval},
        name=name,
        daemon=True,
    )
    thread.start()
    return thread
