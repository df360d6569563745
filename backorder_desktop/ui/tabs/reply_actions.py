"""What a confirmed customer reply does: "keep" is consent to the delay, "cancel" opens
"Cancel and refund…" for the order and marks the reply answered once it is cancelled."""

from __future__ import annotations

from typing import Any

from ...cache import Cache
from ...services.notices.consent import record_consent
from ...services.notices.replies import mark_reply_handled
from ..store_controller import StoreController
from .replies_panel import RepliesPanel


def consent_from_reply(cache: Cache, order_id: int) -> object:
    """Staff confirmed a "keep"/"wait" reply: the customer's consent to the delay, shared with
    the store's other computers like an answer recorded by hand."""
    return record_consent(cache, order_id, "given", source="reply")


def wire_reply_actions(
    replies: RepliesPanel, controller: StoreController, open_cancel_dialog: Any
) -> None:
    """Connect the replies panel to consent and to the cancel-and-refund dialog."""
    replies.record_consent = consent_from_reply

    def cancel(order_id: int, reply_id: int) -> None:
        dialog = open_cancel_dialog([order_id])
        if dialog is None:
            return

        def cancelled(outcome: Any) -> None:
            # Only a cancellation that took lines of this order answers the reply; a refused
            # refund leaves the reply waiting for staff.
            if any(int(line["order_id"]) == order_id for line in outcome.cancelled):
                controller.run_action(
                    "reply answered",
                    lambda session: mark_reply_handled(session.cache, reply_id, "cancel"),
                    on_success=lambda _done: replies.reload(),
                    push=False,
                )

        dialog.cancelled_lines.connect(cancelled)

    replies.cancel_handler = cancel
