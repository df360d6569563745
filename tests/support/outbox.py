"""Queue an outbox row from the request it stands for (tests read better with the API's paths;
the app itself queues typed operations: bigcommerce/operations.py)."""

from __future__ import annotations

from typing import Any

from backorder_desktop.bigcommerce.operations import decode_request
from backorder_desktop.cache.outbox import Outbox


def enqueue_request(
    outbox: Outbox, batch_id: str, kind: str, method: str, path: str, body: Any
) -> int:
    op = decode_request(method, path, body)
    return outbox.enqueue(batch_id, kind, op.action, op.resource, op.payload, target=op.target)
