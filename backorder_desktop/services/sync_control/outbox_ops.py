"""Queueing typed operations (bigcommerce/operations.py) in the outbox: the services' one way."""

from __future__ import annotations

from backorder_desktop.bigcommerce.operations import Operation
from backorder_desktop.cache import Cache


def queue(cache: Cache, batch_id: str, kind: str, op: Operation) -> int:
    """Queue `op` under the merchant's action `kind`; returns the outbox row id."""
    return cache.outbox.enqueue(
        batch_id, kind, op.action, op.resource, op.payload, target=op.target
    )
