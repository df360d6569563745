"""Refund quotes and refunds of order items (orders.v3.yml, Payment Actions): money, so never
queued and never retried blindly.

A refund cannot be taken back, so it is not an outbox operation: the outbox retries what waits
in it, and a refund retried after a lost answer could pay the customer twice. `create_refund`
sends the POST once (the transport repeats a POST only when not a byte left: a refused
connection, or a 429 that applied nothing) and settles a lost answer by reading the order's
refunds back: a new refund of the same items means it was made; none means it was not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .error_mapping import parse_body
from .errors import BigCommerceError, MappingError, OfflineError, ServerError, ValidationError
from .paths import refund_quotes_path, refunds_path

if TYPE_CHECKING:
    from .client import BigCommerceClient


class RefundRefused(BigCommerceError):
    """The store or the payment provider refused the refund: nothing was refunded."""


class RefundUncertain(BigCommerceError):
    """The answer was lost and the order's refunds could not be read to settle it."""


@dataclass(frozen=True, slots=True)
class RefundItem:
    line_id: int  # the order product id (item_type PRODUCT)
    quantity: int


@dataclass(frozen=True, slots=True)
class RefundPayment:
    provider_id: str
    description: str
    amount: float
    offline: bool


@dataclass(frozen=True, slots=True)
class RefundQuote:
    order_id: int
    amount: float  # total_refund_amount
    tax: float
    methods: tuple[tuple[RefundPayment, ...], ...]

    @property
    def method(self) -> tuple[RefundPayment, ...]:
        """The refund method to use: the first one paid back online through the order's own
        provider, else the first offered (refund_methods, orders.v3.yml RefundQuote_Full)."""
        for method in self.methods:
            if method and not any(p.offline for p in method):
                return method
        return self.methods[0] if self.methods else ()

    @property
    def provider(self) -> str:
        return ", ".join(p.description or p.provider_id for p in self.method)


@dataclass(frozen=True, slots=True)
class Refund:
    id: int
    order_id: int
    amount: float
    items: tuple[RefundItem, ...]
    declined: str = ""  # the provider's message when a payment was declined


def _items_body(items: Sequence[RefundItem], reason: str) -> list[dict[str, Any]]:
    out = []
    for item in items:
        body: dict[str, Any] = {
            "item_type": "PRODUCT",
            "item_id": int(item.line_id),
            "quantity": int(item.quantity),
        }
        if reason:
            body["reason"] = reason[:1000]
        out.append(body)
    return out


def _number(value: Any, what: str, order_id: int) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise MappingError("refund", order_id, f"{what} is not a number") from None


def _data(response: Any, order_id: int) -> Any:
    body = parse_body(response)
    if not isinstance(body, dict) or "data" not in body:
        raise MappingError("refund", order_id, "the reply has no data")
    return body["data"]


def _refusal(exc: ValidationError) -> str:
    # The refunds 422 puts its errors in `data` (orders.v3.yml, createOrderRefund 422).
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        titles = [str(e.get("title")) for e in body["data"] if isinstance(e, dict)]
        if any(titles):
            return "; ".join(t for t in titles if t)
    if isinstance(body, dict) and body.get("title"):
        return str(body["title"])
    return exc.message


def quote_refund(
    client: BigCommerceClient, order_id: int, items: Sequence[RefundItem], reason: str = ""
) -> RefundQuote:
    """What refunding `items` pays back and how; a quote changes nothing, so it may be
    repeated. ValidationError (422) when the items cannot be refunded (e.g. over-refund)."""
    response = client.request(
        "POST",
        refund_quotes_path(order_id),
        json={"items": _items_body(items, reason)},
        idempotent=True,
    )
    data = _data(response, order_id)
    if not isinstance(data, dict):
        raise MappingError("refund quote", order_id, "data is not an object")
    methods = []
    for method in data.get("refund_methods") or []:
        if not isinstance(method, list):
            continue
        methods.append(
            tuple(
                RefundPayment(
                    str(p.get("provider_id") or ""),
                    str(p.get("provider_description") or ""),
                    _number(p.get("amount"), "refund method amount", order_id),
                    bool(p.get("offline")),
                )
                for p in method
                if isinstance(p, dict)
            )
        )
    return RefundQuote(
        order_id=order_id,
        amount=_number(data.get("total_refund_amount"), "total_refund_amount", order_id),
        tax=_number(data.get("total_refund_tax_amount") or 0, "total_refund_tax_amount", order_id),
        methods=tuple(methods),
    )


def _refund(doc: Any, order_id: int) -> Refund:
    if not isinstance(doc, dict):
        raise MappingError("refund", order_id, "a refund is not an object")
    payments = [p for p in doc.get("payments") or [] if isinstance(p, dict)]
    declined = [
        str(p.get("declined_message") or "the payment provider declined it")
        for p in payments
        if p.get("is_declined")
    ]
    items = tuple(
        RefundItem(int(i["item_id"]), int(i.get("quantity") or 0))
        for i in doc.get("items") or []
        if isinstance(i, dict) and i.get("item_type") == "PRODUCT" and "item_id" in i
    )
    return Refund(
        id=int(doc.get("id") or 0),
        order_id=int(doc.get("order_id") or order_id),
        amount=_number(doc.get("total_amount") or 0, "total_amount", order_id),
        items=items,
        declined="; ".join(declined),
    )


def list_refunds(client: BigCommerceClient, order_id: int) -> list[Refund]:
    data = _data(client.request("GET", refunds_path(order_id)), order_id)
    if not isinstance(data, list):
        raise MappingError("refunds", order_id, "data is not a list")
    return [_refund(doc, order_id) for doc in data]


def same_items(refund: Refund, items: Sequence[RefundItem]) -> bool:
    return sorted((i.line_id, i.quantity) for i in refund.items) == sorted(
        (i.line_id, i.quantity) for i in items
    )


def create_refund(
    client: BigCommerceClient,
    order_id: int,
    items: Sequence[RefundItem],
    quote: RefundQuote,
    *,
    reason: str = "",
    before: set[int] | None = None,
) -> Refund:
    """Refund `items` with the quote's refund method, once. `before`: the ids of the order's
    refunds read just before (the caller may have recorded them); read here when None.

    RefundRefused: refused by the store or declined by the provider (nothing refunded).
    RefundUncertain: the answer was lost and reading back failed too (check the control panel).
    """
    payments = [
        {"provider_id": p.provider_id, "amount": p.amount, "offline": p.offline}
        for p in quote.method
    ]
    if not payments:
        raise RefundRefused(f"BigCommerce offers no refund method for order #{order_id}.")
    if before is None:
        before = {r.id for r in list_refunds(client, order_id)}
    body = {"items": _items_body(items, reason), "payments": payments}
    try:
        response = client.request("POST", refunds_path(order_id), json=body, idempotent=False)
    except ValidationError as exc:
        raise RefundRefused(
            f"BigCommerce refused the refund of order #{order_id}: {_refusal(exc)}",
            status=exc.status,
        ) from None
    except (OfflineError, ServerError) as exc:
        return _settle(client, order_id, items, before, exc)
    refund = _refund(_data(response, order_id), order_id)
    if refund.declined:
        raise RefundRefused(
            f"The payment provider declined the refund of order #{order_id}: {refund.declined}"
        )
    return refund


def _settle(
    client: BigCommerceClient,
    order_id: int,
    items: Sequence[RefundItem],
    before: set[int],
    lost: BigCommerceError,
) -> Refund:
    """The POST's answer was lost: the order's refunds say whether it was made."""
    try:
        after = list_refunds(client, order_id)
    except BigCommerceError:
        raise RefundUncertain(
            f"The answer to the refund of order #{order_id} was lost ({lost.message}) and the "
            "order's refunds could not be read. Check the order in the BigCommerce control "
            "panel before trying again: nothing was cancelled here."
        ) from None
    made = [r for r in after if r.id not in before and same_items(r, items)]
    if made and not made[0].declined:
        return made[0]
    raise RefundRefused(
        f"The refund of order #{order_id} did not go through ({lost.message}); the order "
        "shows no new refund."
    )


def current_staff_notes(client: BigCommerceClient, order_id: int) -> str:
    """The order's staff notes as the store has them now: V2 replaces the notes on update, so
    a note is appended to what is there, not to what the cache saw at the last sync."""
    body = parse_body(client.request("GET", f"/v2/orders/{int(order_id)}"))
    if not isinstance(body, dict):
        raise MappingError("order", order_id, "the reply is not an order object")
    return str(body.get("staff_notes") or "")
