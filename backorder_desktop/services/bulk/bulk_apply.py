"""Applying a bulk edit, for window and CLI alike: re-read, queue, push, collect refusals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backorder_desktop.domain.changes import Changes
from backorder_desktop.services.bulk.bulk_edit import ApplyOutcome, BulkRequest, apply
from backorder_desktop.services.bulk.bulk_results import batch_failures
from backorder_desktop.services.sync_control.actions import ActionReport, run_action
from backorder_desktop.services.sync_control.session import StoreSession


@dataclass
class BulkApplied:
    """The apply outcome and the items BigCommerce refused once pushed."""

    outcome: ApplyOutcome
    failed: list[dict[str, Any]] = field(default_factory=list)
    # The variants and products edited (their values were re-read from the store even when
    # conflicts held the edit back).
    changes: Changes = field(default_factory=Changes.all)


def bulk_apply(
    session: StoreSession,
    request: BulkRequest,
    *,
    resolutions: Mapping[tuple[str, int, str], str] | None = None,
    push: bool = True,
) -> ActionReport[BulkApplied]:
    """Apply `request` (conflicts come back unapplied, for the merchant to resolve), push it
    through the action runner, then list the items BigCommerce refused."""
    applied = BulkApplied(
        apply(session.client, session.cache, request, resolutions=resolutions),
        changes=Changes.of(variants=request.edits, products=request.product_edits, outbox=True),
    )
    outcome = applied.outcome
    if not outcome.applied or outcome.batch_id is None:
        return ActionReport(applied, changes=applied.changes)
    report = run_action(session, lambda _s: applied, push=push)
    applied.failed = batch_failures(session.cache, outcome.batch_id)
    return report
