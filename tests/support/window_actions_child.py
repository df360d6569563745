"""Child process for the kill tests: the real window (offscreen) on a data dir, doing the dock's
and the notices' work as a merchant does it after every restart.

    python -m tests.support.window_actions_child DATA_DIR --api-url URL --store-hash H
        --smtp-port P --shipment REF --line SKU:QTY ... [--receive] [--notify]

(token in BIGCOMMERCE_ACCESS_TOKEN). It opens the window on the store (the cached rows, then the
start-up sync, which also pushes whatever a killed run left queued), then, through the same
dialogs the laptop tests drive (tests/support/window_front.py):
- `--receive`: if the shipment still has units to come, receive `--line`s and release the orders
  the receipt made ready; else release whatever "Release ready orders…" lists (a run killed
  between booking and releasing);
- `--notify`: if a notice is due, Notify > Send;
and last pushes what is queued. The tests SIGKILL it at random points and start it again.
Prints one JSON line: what it did.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


class Bot:
    """The few pytest-qt `qtbot` calls WindowFront makes, on a plain event loop."""

    def waitUntil(self, predicate: Callable[[], Any], timeout: int = 60_000) -> None:  # noqa: N802
        deadline = time.monotonic() + timeout / 1000
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("the window did not get there in time")
            self.wait(5)

    def wait(self, ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def keyClick(self, widget: Any, key: Any) -> None:  # noqa: N802
        QTest.keyClick(widget, key)

    @contextmanager
    def waitSignal(self, signal: Any, timeout: int = 60_000) -> Iterator[None]:  # noqa: N802
        fired: list[bool] = []
        slot = lambda *_: fired.append(True)  # noqa: E731
        signal.connect(slot)
        try:
            yield
            self.waitUntil(lambda: bool(fired), timeout)
        finally:
            signal.disconnect(slot)

    def addWidget(self, _widget: Any) -> None:  # noqa: N802
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--store-hash", required=True)
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--shipment", required=True)
    parser.add_argument("--line", action="append", default=[])
    parser.add_argument("--receive", action="store_true")
    parser.add_argument("--notify", action="store_true")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])

    from tests.support.window_front import WindowFront

    store = SimpleNamespace(
        api_url=args.api_url,
        store_hash=args.store_hash,
        token=os.environ["BIGCOMMERCE_ACCESS_TOKEN"],
    )
    sink = SimpleNamespace(port=args.smtp_port)
    front = WindowFront(Bot(), store, args.data_dir, sink)  # type: ignore[arg-type]
    did: dict[str, Any] = {}
    front.sync()
    if args.receive:
        lines = {text.split(":")[0]: int(text.split(":")[1]) for text in args.line}
        if front.shipments()[args.shipment] != "received":
            did["received"] = front.receive(args.shipment, lines, release=True).__dict__
        elif front.ready():
            did["released"] = front.release(None)
    if args.notify:
        plan = front.shell.window.backorders_panel.due_plan()
        if plan is not None and plan.due:
            did["notified"] = front.notify().__dict__
    did["push"] = front.push().text
    front.close()
    app.processEvents()
    sys.stdout.write(json.dumps(did) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
