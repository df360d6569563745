"""A laptop, as the laptop tests drive it: the same operations through either front end.

`Front` is what a merchant does on one laptop (sync, notify, receive, release, set an ETA...)
and what they see back (the queue, the shipments, the ready orders, conflicts, what they are
told). `CliFront` runs the real `backorder-desktop` command in a subprocess; `WindowFront`
(tests/support/window_front.py) drives a real `AppShell` through its dialogs and buttons. Both
end in the same service functions (services/), so a scenario written once against `Front` checks
a use case through both front ends. `make_front` builds either by name for parametrized tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from tests.support.cli import Result, run_cli

FRONTS = ("cli", "window")


@dataclass(frozen=True)
class Line:
    """One waiting line of the open backorders queue, as shown."""

    order_id: int
    sku: str
    qty_waiting: int
    priority: int
    queue_position: int


@dataclass
class Told:
    """The outcome of an action and what the merchant was told about it."""

    ok: bool
    text: str = ""


@dataclass
class Notified:
    sent: int
    skipped_duplicates: int


@dataclass
class Received:
    ready_orders: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Held:
    """A change another laptop overtook, with its three values: (was, theirs, mine)."""

    was: str
    theirs: str
    mine: str


class Front(Protocol):
    name: str

    def sync(self) -> str: ...  # what the merchant is told besides "synced" (warnings)
    def queue(self) -> list[Line]: ...
    def partial_allowed(self, order_id: int) -> bool: ...
    def shipments(self) -> dict[str, str]: ...  # reference -> status
    def ready(self) -> list[int]: ...  # the orders "Release ready orders" lists
    def notify(self) -> Notified: ...
    def receive(self, reference: str, lines: dict[str, int], *, release: bool) -> Received: ...
    def release(self, orders: list[int] | None) -> list[int]: ...  # None: every ready one
    def undo_release(self, order_id: int) -> Told: ...
    def set_eta(self, sku: str, eta: date) -> Told: ...  # unlimited backorders with that ETA
    def priority(self, order_id: int, delta: int) -> None: ...
    def partial(self, order_id: int, allow: bool) -> None: ...
    def push(self) -> Told: ...
    def held(self) -> list[Held]: ...
    def choose(self, mine: bool) -> None: ...  # for every held change
    def outbox_failed(self) -> int: ...
    def close(self) -> None: ...


def smtp_args(sink: MailSink) -> list[str]:
    return ["--smtp-host", "127.0.0.1", "--smtp-port", str(sink.port), "--smtp-plain",
            "--mail-from", "orders@shop.example"]  # fmt: skip


class CliFront:
    """The command line: every operation one `backorder-desktop` subprocess on `data_dir`.

    The CLI has no command for an order's priority or its partial-shipment choice (the window
    owns them); those two go through the service functions the window calls, on a session of
    the same data dir, as a command would (`run_action`).
    """

    name = "cli"

    def __init__(self, store: DemoStore, data_dir: Path, sink: MailSink | None = None) -> None:
        self.store, self.data_dir, self.sink = store, data_dir, sink

    def run(self, *args: str) -> Result:
        base = ["--data-dir", str(self.data_dir), "--api-url", self.store.api_url,
                "--store-hash", self.store.store_hash]  # fmt: skip
        if self.sink is not None:
            base += smtp_args(self.sink)
        return run_cli(*base, *args, token=self.store.token)

    def ok(self, *args: str) -> Any:
        result = self.run(*args, "--json")
        assert result.code == 0, result.err
        return result.json()

    def sync(self) -> str:
        result = self.run("sync")
        assert result.code == 0, result.err
        return result.err

    def queue(self) -> list[Line]:
        return [
            Line(d["order_id"], d["sku"], d["qty_waiting"], d["priority"], d["queue_position"])
            for d in self.ok("backorders")
            if d["state"] == "waiting"
        ]

    def partial_allowed(self, order_id: int) -> bool:
        from backorder_desktop.services.backorders import partial_shipment_allowed

        with self._session() as session:
            return order_id in partial_shipment_allowed(session.cache)

    def shipments(self) -> dict[str, str]:
        return {s["reference"]: s["status"] for s in self.ok("shipments", "list")}

    def ready(self) -> list[int]:
        return list(self.ok("release", "--all-ready", "--dry-run")["released"])

    def notify(self) -> Notified:
        doc = self.ok("notify")
        return Notified(doc["sent"], doc["skipped_duplicates"])

    def receive(self, reference: str, lines: dict[str, int], *, release: bool) -> Received:
        args = ["shipments", "receive", reference, *(f"--line={s}:{q}" for s, q in lines.items())]
        doc = self.ok(*args, *(["--release"] if release else []))
        return Received(doc["ready_orders"], doc["released"])

    def release(self, orders: list[int] | None) -> list[int]:
        which = ["--all-ready"] if orders is None else [f"--order={o}" for o in orders]
        return list(self.ok("release", *which)["released"])

    def undo_release(self, order_id: int) -> Told:
        result = self.run("undo-release", str(order_id), "--json")
        return Told(result.code == 0, result.err)

    def set_eta(self, sku: str, eta: date) -> Told:
        result = self.run(
            "set-backorder", "--sku", sku, "--unlimited", "--eta", eta.isoformat(), "--json"
        )
        return Told(result.code == 0, result.err)

    def priority(self, order_id: int, delta: int) -> None:
        from backorder_desktop.services.backorders import change_priority

        self._act(lambda s: change_priority(s.cache, [order_id], delta))

    def partial(self, order_id: int, allow: bool) -> None:
        from backorder_desktop.services.backorders import set_partial_shipment

        self._act(lambda s: set_partial_shipment(s.cache, [order_id], allow))

    def push(self) -> Told:
        result = self.run("push", "--json")
        return Told(result.code == 0, result.err)

    def _held_changes(self) -> Any:
        return self.run("conflicts", "list", "--json").json()  # exit 1 while any is held

    def held(self) -> list[Held]:
        return [
            Held(item["was"], item["theirs"], item["mine"])
            for change in self._held_changes()
            for item in change["items"]
        ]

    def choose(self, mine: bool) -> None:
        for change in self._held_changes():
            self.ok("conflicts", "keep-mine" if mine else "take-theirs", str(change["change"]))

    def outbox_failed(self) -> int:
        return int(self.ok("status")["outbox"]["failed"])

    def close(self) -> None:
        pass

    def _session(self) -> Any:
        from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession

        connection = StoreConnection(self.store.store_hash, self.store.api_url)
        return StoreSession(self.data_dir, connection, self.store.token)

    def _act(self, work: Any) -> None:
        from backorder_desktop.services.sync_control.actions import run_action

        with self._session() as session:
            report = run_action(session, work)
        assert report.pushed is not None and report.pushed.failed == 0, report.messages()


def make_front(
    name: str, request: Any, store: DemoStore, data_dir: Path, sink: MailSink | None = None
) -> Front:
    """`cli` or `window` (the window needs pytest-qt's `qtbot`: fetched from `request`)."""
    if name == "cli":
        return CliFront(store, data_dir, sink)
    from tests.support.window_front import WindowFront

    front = WindowFront(request.getfixturevalue("qtbot"), store, data_dir, sink)
    request.addfinalizer(front.close)
    return front
