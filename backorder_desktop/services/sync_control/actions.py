"""The one action runner: do the operation, push the outbox, count what was held back, report.

Window (`StoreController.run_action`) and CLI both call `run_action`, so a change is carried
to BigCommerce, and its outcome told, the same way whichever front end made it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from backorder_desktop.bigcommerce.errors import AuthError, BigCommerceError, OfflineError
from backorder_desktop.domain.changes import Changes
from backorder_desktop.services.errors import describe_error
from backorder_desktop.services.sync_control.conflicts import list_conflicts
from backorder_desktop.services.sync_control.session import StoreSession
from backorder_desktop.services.sync_control.syncing import push_outbox
from backorder_desktop.sync.push import PushResult

log = logging.getLogger("backorder_desktop.services.sync_control.actions")
T = TypeVar("T")


@dataclass
class ActionReport(Generic[T]):
    """What one action did: its result, and how its changes fared on the way out."""

    result: T
    pushed: PushResult | None = None  # None: not pushed (asked not to, or the push failed)
    deferred: str = ""  # why the changes wait in the outbox (offline, 5xx...)
    token_refused: AuthError | None = None  # pushing must pause until a new token
    conflicts: int = 0  # changes held back: another laptop changed the same records first
    unreachable: bool = False  # the push found the network or the store down
    # What the action touched (the window re-reads only those rows): the result's own
    # `changes`, widened to everything when the push held new changes back (another laptop's
    # values show instead) or the result does not say.
    changes: Changes = field(default_factory=Changes.all)

    @property
    def reached_store(self) -> bool:
        """The store answered this action's push (the status bar may say "Connected")."""
        return self.pushed is not None and not self.unreachable and self.pushed.sent > 0

    def messages(self, later: str = "it goes out with the next sync") -> list[str]:
        """Plain sentences for the merchant (the CLI prints them on stderr, the window posts
        them in the status bar); `later` says how queued changes will go out."""
        out: list[str] = []
        if self.conflicts:
            out.append(
                f"{self.conflicts} change(s) were held back: another laptop changed the same "
                "records first. Choose which version to keep (View > Conflicts, or "
                "'conflicts list')."
            )
        if self.token_refused is not None:
            out.append(f"Queued, not sent yet ({self.token_refused.message}); {later}.")
        elif self.deferred:
            out.append(f"Queued, not sent yet ({self.deferred}); {later}.")
        refused = self.pushed.failed - self.conflicts if self.pushed is not None else 0
        if refused > 0:
            out.append(f"{refused} change(s) were refused by BigCommerce: see the outbox.")
        elif self.pushed is not None and self.pushed.pending:
            out.append(f"{self.pushed.pending} change(s) wait in the outbox; {later}.")
        return out


def run_action(
    session: StoreSession,
    work: Callable[[StoreSession], T],
    *,
    push: bool = True,
    cancelled: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ActionReport[T]:
    """`work(session)` (one cache transaction recording the outbox rows), then the push.

    Errors of `work` propagate (nothing was written). A push that cannot reach the store
    leaves the changes safe in the outbox and says so in the report instead of failing.
    """
    report = ActionReport(work(session))
    report.changes = changes_of(report.result)
    if not push:
        return report
    held_before = len(list_conflicts(session.cache))
    try:
        report.pushed = push_outbox(session, cancelled=cancelled, progress=progress)
    except AuthError as exc:
        report.token_refused = exc
    except (BigCommerceError, OSError) as exc:
        log.warning("push deferred: %s", describe_error(exc))
        report.deferred = describe_error(exc)
        report.unreachable = isinstance(exc, OfflineError | OSError)
    else:
        report.unreachable = report.pushed.unreachable
        report.conflicts = len(list_conflicts(session.cache))
        if report.conflicts > held_before:
            report.changes = Changes.all()  # overtaken writes are held back: rows roll back
    return report


def changes_of(result: object) -> Changes:
    """A service result's `Changes`: the result itself, or its `changes` attribute; a result
    that does not say touched, as far as anyone knows, everything."""
    if isinstance(result, Changes):
        return result | Changes(outbox=True)
    found = getattr(result, "changes", None)
    if isinstance(found, Changes):
        return found | Changes(outbox=True)
    return Changes.all()
