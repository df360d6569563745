"""V3 payment actions: refund quotes and refunds of order items (orders.v3.yml, Payment Actions).

Only PRODUCT items are refunded here (item_id = the order product id, a quantity); what a
product item refunds is its price with tax times the quantity (the spec: "amount ... becomes
irrelevant when you select PRODUCT"). A quantity beyond what is left to refund is HTTP 422, so
is a payment that does not match the quote's refund method. After a refund the order moves to
Refunded (4) when nothing is left to refund, else Partially Refunded (14), as the control panel
does ("The order will show as Refunded or Partially refunded").

The payment provider comes from the order's payment method. `REFUSING_PAYMENT_METHOD` stands
for a gateway that declines refunds: its refunds answer 422 and change nothing, so the app's
"refused refund" path can be tried (DemoStore.refuse_refunds).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from . import fields as f
from .api import STATUS_DOC, ApiError, Context, Request, Response, Router, v3_error
from .dates import iso
from .orders_json import order_total_inc_tax
from .records import LineRec, OrderRec, RefundItemRec, RefundPaymentRec, RefundRec

DIRTY = frozenset({"orders"})
REFUSING_PAYMENT_METHOD = "Test Gateway (declines refunds)"
# payment_method -> (provider_id, provider_description, offline_provider)
_PROVIDERS: dict[str, tuple[str, str, bool]] = {
    "Credit Card": ("braintree", "Braintree (Credit Card)", False),
    "PayPal": ("paypalcommerce", "PayPal", False),
    "Bank Deposit": ("bankdeposit", "Bank Deposit", True),
    "Cash on Delivery": ("cod", "Cash on Delivery", True),
    REFUSING_PAYMENT_METHOD: ("testgateway", "Test Gateway", False),
}
_UNPAID = (0, 1, 7)  # Incomplete, Pending, Awaiting Payment: nothing captured to refund
_REFUNDED, _PARTIALLY_REFUNDED = 4, 14


def _cents(value: float) -> int:
    return round(value * 100)


def _order(ctx: Context, req: Request) -> OrderRec:
    order = ctx.state.orders.get(req.int_param("order_id"))
    if order is None:
        raise v3_error(404, "The requested order was not found.")
    return order


def refunded_by_line(order: OrderRec) -> dict[int, int]:
    """Units refunded so far per order product id."""
    out: dict[int, int] = defaultdict(int)
    for refund in order.refunds:
        for item in refund.items:
            if item.item_type == "PRODUCT":
                out[item.item_id] += item.quantity
    return dict(out)


def refunded_total(order: OrderRec) -> float:
    return round(sum(r.total_amount for r in order.refunds), 2)


def provider(order: OrderRec) -> tuple[str, str, bool]:
    return _PROVIDERS.get(order.payment_method, _PROVIDERS["Credit Card"])


def _items(order: OrderRec, body: Any) -> list[tuple[LineRec, int, str]]:
    """(line, quantity, reason) per requested item; 422 for anything not refundable."""
    if not isinstance(body, dict) or not isinstance(body.get("items"), list) or not body["items"]:
        raise v3_error(422, "JSON data is missing or invalid", {"items": "error.path.missing"})
    if order.status_id in _UNPAID:
        raise v3_error(
            422,
            f"Order {order.id} has no captured payment to refund.",
            {"order_id": "error.payment.not_captured"},
        )
    lines = {line.id: line for line in order.lines}
    done = refunded_by_line(order)
    wanted: dict[int, int] = defaultdict(int)
    out: list[tuple[LineRec, int, str]] = []
    for n, item in enumerate(body["items"]):
        if not isinstance(item, dict) or item.get("item_type") != "PRODUCT":
            raise v3_error(
                422,
                "Only PRODUCT items can be refunded by this store.",
                {f"items[{n}].item_type": "error.expected.PRODUCT"},
            )
        line_id, qty = item.get("item_id"), item.get("quantity")
        if not f.is_int(line_id) or line_id not in lines:
            raise v3_error(
                422,
                f"Order product {line_id} is not part of order {order.id}.",
                {f"items[{n}].item_id": "error.not_found"},
            )
        if not f.is_int(qty) or qty < 1:
            raise v3_error(
                422,
                "Each PRODUCT item needs a positive integer quantity.",
                {f"items[{n}].quantity": "error.min"},
            )
        wanted[line_id] += qty
        left = lines[line_id].quantity - done.get(line_id, 0)
        if wanted[line_id] > left:
            raise v3_error(
                422,
                f"Cannot refund {wanted[line_id]} of order product {line_id}: only {left} "
                "left to refund.",
                {f"items[{n}].quantity": "error.refund.exceeds_refundable"},
            )
        out.append((lines[line_id], qty, str(item.get("reason") or "")[:1000]))
    return out


def _amounts(items: list[tuple[LineRec, int, str]]) -> tuple[float, float]:
    total = sum(line.price_inc_tax * qty for line, qty, _ in items)
    tax = sum((line.price_inc_tax - line.price_ex_tax) * qty for line, qty, _ in items)
    return round(total, 2), round(tax, 2)


def _methods(order: OrderRec, amount: float) -> list[list[dict[str, Any]]]:
    provider_id, description, offline = provider(order)
    own = {
        "provider_id": provider_id,
        "provider_description": description,
        "amount": amount,
        "offline": offline,
        "offline_provider": offline,
        "offline_reason": "This is an offline payment provider." if offline else "",
    }
    custom = {
        "provider_id": "custom",
        "provider_description": "Custom",
        "amount": amount,
        "offline": True,
        "offline_provider": True,
        "offline_reason": "This is an offline payment provider.",
    }
    return [[own], [custom]]


def create_quote(ctx: Context, req: Request) -> Response:
    order = _order(ctx, req)
    items = _items(order, req.json())
    total, tax = _amounts(items)
    data = {
        "order_id": order.id,
        "total_refund_amount": total,
        "total_refund_tax_amount": tax,
        "order_level_refund_amount": 0,
        "rounding": 0,
        "adjustment": 0,
        "tax_inclusive": True,
        "refund_methods": _methods(order, total),
    }
    return Response(201, {"data": data, "meta": {}})


def _refused(message: str) -> ApiError:
    # The refunds 422 wraps its errors in `data` (orders.v3.yml, createOrderRefund 422).
    return ApiError(422, {"data": [{"status": 422, "title": message, "type": STATUS_DOC}]})


def _payments(order: OrderRec, body: dict[str, Any], total: float) -> list[tuple[str, float, bool]]:
    raw = body.get("payments")
    if not isinstance(raw, list) or not raw:
        raise _refused("The refund needs a payments array (from the refund quote).")
    offered = {m[0]["provider_id"] for m in _methods(order, total)}
    out = []
    for payment in raw:
        pid = payment.get("provider_id") if isinstance(payment, dict) else None
        amount = payment.get("amount") if isinstance(payment, dict) else None
        if pid not in offered or not f.is_number(amount) or amount < 0:
            raise _refused(f"The payment provider {pid!r} is not a refund method of this order.")
        out.append((str(pid), float(amount), bool(payment.get("offline", False))))
    paid = sum(amount for _, amount, _ in out)
    if _cents(paid) != _cents(total):
        raise _refused(
            f"The payments ({paid:.2f}) must match the refund amount ({total:.2f}): create a "
            "refund quote and use the amount of one of its refund methods."
        )
    if _cents(refunded_total(order) + total) > _cents(order_total_inc_tax(order)):
        raise _refused("The refund would exceed what was paid for the order.")
    return out


def create_refund(ctx: Context, req: Request) -> Response:
    order = _order(ctx, req)
    body = req.json()
    try:
        items = _items(order, body)
    except ApiError as exc:
        raise _refused(str(exc.body.get("title"))) from None
    total, tax = _amounts(items)
    assert isinstance(body, dict)
    payments = _payments(order, body, total)
    provider_id, _, _ = provider(order)
    if order.payment_method == REFUSING_PAYMENT_METHOD and any(
        pid == provider_id for pid, _, _ in payments
    ):
        raise _refused("Test Gateway declined the refund: the original transaction is disputed.")
    refund = RefundRec(
        id=ctx.state.new_id("refund"),
        order_id=order.id,
        created=ctx.now(),
        reason=str(body.get("reason") or (items[0][2] if items else ""))[:1000],
        total_amount=total,
        total_tax=tax,
        items=[
            RefundItemRec("PRODUCT", line.id, qty, round(line.price_inc_tax * qty, 2), reason)
            for line, qty, reason in items
        ],
        payments=[
            RefundPaymentRec(ctx.state.new_id("refund_payment"), pid, amount, offline)
            for pid, amount, offline in payments
        ],
    )
    order.refunds.append(refund)
    whole = _cents(refunded_total(order)) >= _cents(order_total_inc_tax(order))
    order.status_id = _REFUNDED if whole else _PARTIALLY_REFUNDED
    order.date_modified = ctx.now()
    return Response(201, {"data": refund_json(refund), "meta": {}}, dirty=DIRTY)


def refund_json(refund: RefundRec) -> dict[str, Any]:
    return {
        "id": refund.id,
        "order_id": refund.order_id,
        "user_id": 0,
        "created": iso(refund.created),
        "reason": refund.reason,
        "total_amount": refund.total_amount,
        "total_tax": refund.total_tax,
        "uses_merchant_override_values": False,
        "items": [
            {
                "item_type": i.item_type,
                "item_id": i.item_id,
                "quantity": i.quantity,
                "reason": i.reason,
                "requested_amount": i.amount,
            }
            for i in refund.items
        ],
        "payments": [
            {
                "id": p.id,
                "provider_id": p.provider_id,
                "amount": p.amount,
                "offline": p.offline,
                "is_declined": p.is_declined,
                "declined_message": p.declined_message,
            }
            for p in refund.payments
        ],
    }


def list_refunds(ctx: Context, req: Request) -> Response:
    order = _order(ctx, req)
    return Response(200, {"data": [refund_json(r) for r in order.refunds], "meta": {}})


def register(router: Router) -> None:
    router.add("POST", "/v3/orders/{order_id}/payment_actions/refund_quotes", create_quote)
    router.add("POST", "/v3/orders/{order_id}/payment_actions/refunds", create_refund)
    router.add("GET", "/v3/orders/{order_id}/payment_actions/refunds", list_refunds)
