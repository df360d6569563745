"""Purchase orders: a draft shipment sent to its supplier (PDF by email, or saved), and the
delivery date the supplier confirms moving the shipment's ETAs (with the usual delay notices).

The PDF itself is rendered by the window (Qt, ui/po_print.py): these functions take its bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from backorder_desktop.cache import Cache
from backorder_desktop.cache.private_files import open_fd
from backorder_desktop.cache.shipments import load_shipments, load_suppliers
from backorder_desktop.domain.eta_moves import EtaMove
from backorder_desktop.domain.purchase_orders import (
    PoLine,
    PurchaseOrder,
    PurchaseOrderError,
    po_email_html,
    po_email_text,
    po_filename,
    po_subject,
)
from backorder_desktop.domain.shipment_rules import METAFIELD_VALUE_MAX, InputError
from backorder_desktop.domain.shipments import (
    DRAFT,
    IN_TRANSIT,
    ORDERED,
    PARTIALLY_RECEIVED,
    PO_EMAIL,
    PO_FILE,
    STATUS_LABELS,
    SUPPLIER_KEY_PREFIX,
    PurchaseOrderSent,
    Shipment,
    Supplier,
)
from backorder_desktop.mail.message import AddressError, build_message, checked_address
from backorder_desktop.mail.smtp import SendUncertain, SmtpConfig, SmtpSender
from backorder_desktop.services.dock.shipments import find_shipment, save_shipment
from backorder_desktop.services.notices.eta_preview import what_if
from backorder_desktop.services.notices.mail_setup import store_name
from backorder_desktop.services.sync_control.metafield_writes import FieldWrite, queue_field_writes

DEFAULT_WANTED_DAYS = 14  # the date wanted when the shipment has none and no lead time is set
# Statuses a supplier may still confirm a date for (a draft becomes Ordered with it).
CONFIRMABLE = (DRAFT, ORDERED, IN_TRANSIT, PARTIALLY_RECEIVED)


@dataclass(frozen=True, slots=True)
class Merchant:
    """Who orders: the sender's name and address and the shop contact (Mail settings)."""

    name: str
    email: str
    contact: str = ""


def merchant_of(config: SmtpConfig, shop_contact: str = "") -> Merchant:
    """The merchant as the notices present it: the sender's name (else its domain), its
    address, and Mail settings' shop contact."""
    return Merchant(store_name(config), config.sender, shop_contact)


@dataclass(frozen=True, slots=True)
class PoDraft:
    """What the purchase order dialog opens with."""

    shipment: Shipment
    supplier: Supplier
    order: PurchaseOrder


def _supplier_of(cache: Cache, shipment: Shipment) -> Supplier:
    found = next((s for s in load_suppliers(cache) if s.id == shipment.supplier_id), None)
    if found is None:
        raise InputError(
            f"Shipment {shipment.reference} has no known supplier: choose one (Edit…) first."
        )
    return found


def product_names(cache: Cache, skus: list[str]) -> dict[str, str]:
    """SKU -> "Product (options)" from the cache ("" for a SKU it does not know)."""
    out: dict[str, str] = {}
    for sku in skus:
        variants = cache.variants.by_sku(sku)
        if not variants:
            continue
        variant = variants[0]
        product = cache.products.get(variant.product_id)
        name = product.name if product is not None else ""
        out[sku] = f"{name} ({variant.option_label})" if variant.option_label else name
    return out


def default_number(shipment: Shipment, today: date) -> str:
    """The shipment's reference, unless it is still the "Draft <supplier> <day>" of 'order
    what is waiting': then a PO number in the form new shipments get."""
    if shipment.status == DRAFT and shipment.reference.startswith("Draft "):
        return f"PO-{today:%Y%m%d}-{shipment.id[-4:].upper()}"
    return shipment.reference


def default_wanted(shipment: Shipment, supplier: Supplier, today: date) -> date:
    if shipment.expected_date is not None and shipment.expected_date >= today:
        return shipment.expected_date
    days = supplier.lead_time_days if supplier.lead_time_days is not None else DEFAULT_WANTED_DAYS
    return today + timedelta(days=days)


def draft_purchase_order(
    cache: Cache, shipment_id: str, merchant: Merchant, *, today: date | None = None
) -> PoDraft:
    """The purchase order a shipment makes (draft or ordered: a PO is not sent for goods that
    already travel). InputError says why not."""
    today = today or datetime.now(UTC).date()
    shipment = find_shipment(cache, shipment_id)
    if shipment.status not in (DRAFT, ORDERED):
        raise InputError(
            f"Shipment {shipment.reference} is {STATUS_LABELS[shipment.status].lower()}: a "
            "purchase order is made from a draft (or sent again while it is ordered)."
        )
    supplier = _supplier_of(cache, shipment)
    names = product_names(cache, [line.sku for line in shipment.lines])
    order = PurchaseOrder(
        number=default_number(shipment, today),
        issued=today,
        wanted=default_wanted(shipment, supplier, today),
        merchant_name=merchant.name,
        merchant_email=merchant.email,
        merchant_contact=merchant.contact,
        supplier_name=supplier.name,
        supplier_email=supplier.email,
        lines=tuple(
            PoLine(line.sku, names.get(line.sku, ""), supplier.code(line.sku), line.qty_expected)
            for line in shipment.lines
        ),
    )
    return PoDraft(shipment, supplier, order)


def save_supplier_details(
    cache: Cache,
    supplier_id: str,
    *,
    email: str | None = None,
    codes: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Supplier:
    """Remember the supplier's address and its codes for SKUs (an empty code forgets one);
    writes only when something changed."""
    supplier = next((s for s in load_suppliers(cache) if s.id == supplier_id), None)
    if supplier is None:
        raise InputError(f"Unknown supplier '{supplier_id}'.")
    changed = supplier
    if email is not None and email.strip() != supplier.email:
        try:
            address = checked_address(email) if email.strip() else ""
        except AddressError as exc:
            raise InputError(str(exc)) from None
        changed = replace(changed, email=address)
    if codes:
        merged = dict(supplier.codes)
        for sku, code in codes.items():
            code = " ".join(code.split())[:100]
            if code:
                merged[sku] = code
            else:
                merged.pop(sku, None)
        changed = replace(changed, codes=tuple(sorted(merged.items())))
    if changed == supplier:
        return supplier
    size = len(changed.to_json())
    if size > METAFIELD_VALUE_MAX:
        raise InputError(
            f"Supplier {supplier.name} has too many codes to store ({size:,} characters, "
            f"BigCommerce keeps at most {METAFIELD_VALUE_MAX:,})."
        )
    write = FieldWrite("store", None, SUPPLIER_KEY_PREFIX + changed.id, changed.to_json())
    queue_field_writes(cache, [write], batch_id=f"supplier:{changed.id}", kind="supplier", now=now)
    return changed


def _checked(cache: Cache, shipment_id: str, po: PurchaseOrder, today: date) -> Shipment:
    shipment = find_shipment(cache, shipment_id)
    if shipment.status not in (DRAFT, ORDERED):
        raise InputError(f"Shipment {shipment.reference} is no longer a draft or ordered.")
    try:
        po.check(today)
    except PurchaseOrderError as exc:
        raise InputError(str(exc)) from None
    return shipment


def _ordered(shipment: Shipment, po: PurchaseOrder, sent: PurchaseOrderSent) -> Shipment:
    """The shipment once its PO is out: Ordered, its reference the PO number, expected on the
    date wanted (the supplier's confirmation moves it later)."""
    return replace(
        shipment,
        reference=po.number.strip(),
        status=ORDERED,
        expected_date=po.wanted,
        purchase_order=sent,
        supplier_confirmed=None,  # a new order waits for its own confirmation
    )


def preview_purchase_order(
    cache: Cache, shipment_id: str, po: PurchaseOrder, *, today: date | None = None
) -> list[EtaMove]:
    """Whose ETA sending this PO moves (a draft becomes Ordered: its units lend the date
    wanted; an ordered shipment moves to it). Nothing is written."""
    today = today or datetime.now(UTC).date()
    shipment = _checked(cache, shipment_id, po, today)
    sent = PurchaseOrderSent(datetime.now(UTC), po.supplier_email, PO_EMAIL)
    return what_if(cache, lambda c: save_shipment(c, _ordered(shipment, po, sent)), today=today)


def send_purchase_order(
    cache: Cache,
    shipment_id: str,
    po: PurchaseOrder,
    pdf: bytes,
    config: SmtpConfig,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> Shipment:
    """Email the PO with its PDF to the supplier through the merchant's mail server, then
    record it on the shipment (which becomes Ordered). Nothing is recorded unless the server
    took the message; MailError says why not."""
    now = now or datetime.now(UTC)
    shipment = _checked(cache, shipment_id, po, today or now.date())
    try:
        message = build_message(
            sender=config.sender,
            sender_name=config.sender_name,
            to=po.supplier_email,
            to_name=po.supplier_name,
            subject=po_subject(po),
            text=po_email_text(po),
            html=po_email_html(po),
        )
    except AddressError as exc:
        raise InputError(f"The supplier's address cannot be used: {exc}") from None
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=po_filename(po))
    with SmtpSender(config) as sender:
        try:
            sender.send(message)
        except SendUncertain as exc:
            raise SendUncertain(
                f"{exc.message} The supplier may have received {po.number}: ask them "
                "before sending it again."
            ) from exc
    sent = PurchaseOrderSent(
        now, checked_address(po.supplier_email), PO_EMAIL, str(message["Message-ID"])
    )
    return save_shipment(cache, _ordered(shipment, po, sent), now=now)


def save_purchase_order(
    cache: Cache,
    shipment_id: str,
    po: PurchaseOrder,
    pdf: bytes,
    path: Path,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> Shipment:
    """Write the PO's PDF to `path` (to send it another way) and record it on the shipment."""
    now = now or datetime.now(UTC)
    shipment = _checked(cache, shipment_id, po, today or now.date())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = open_fd(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)  # never through a symlink
    with os.fdopen(fd, "wb") as handle:
        handle.write(pdf)
    sent = PurchaseOrderSent(now, str(path), PO_FILE)
    return save_shipment(cache, _ordered(shipment, po, sent), now=now)


def _confirmed(cache: Cache, shipment_id: str, confirmed: date, today: date) -> Shipment:
    if confirmed < today:
        raise InputError(
            f"The confirmed date {confirmed.isoformat()} has passed: give today or later."
        )
    shipment = find_shipment(cache, shipment_id)
    if shipment.status not in CONFIRMABLE:
        raise InputError(
            f"Shipment {shipment.reference} is {STATUS_LABELS[shipment.status].lower()}: "
            "there is no delivery left to confirm."
        )
    status = ORDERED if shipment.status == DRAFT else shipment.status
    return replace(shipment, status=status, expected_date=confirmed, supplier_confirmed=confirmed)


def confirm_supplier_date(
    cache: Cache,
    shipment_id: str,
    confirmed: date,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> Shipment:
    """The supplier confirmed delivery on `confirmed` (typed in, or read from the supplier's
    reply): it becomes the shipment's expected date (a draft becomes Ordered), so the ETAs
    its units carry move with it and delay notices fall due for customers told an earlier
    date, as with any new expected date. A date before today is refused."""
    now = now or datetime.now(UTC)
    ready = _confirmed(cache, shipment_id, confirmed, today or now.date())
    return save_shipment(cache, ready, now=now)


def preview_confirm(
    cache: Cache, shipment_id: str, confirmed: date, *, today: date | None = None
) -> list[EtaMove]:
    """Whose ETA `confirm_supplier_date` would move, and the delay notices it makes due."""
    today = today or datetime.now(UTC).date()
    ready = _confirmed(cache, shipment_id, confirmed, today)
    return what_if(cache, lambda c: save_shipment(c, ready), today=today)


def shipment_for_reply(cache: Cache, references: Iterable[str]) -> Shipment | None:
    """The shipment whose emailed PO a supplier's reply answers: `references` are the reply's
    In-Reply-To and References message ids (angle brackets optional). For the replies reader:
    it then offers `confirm_supplier_date` with the date it read, for staff to confirm."""
    wanted = {ref.strip().strip("<>").casefold() for ref in references if ref.strip()}
    if not wanted:
        return None
    for shipment in load_shipments(cache):
        po = shipment.purchase_order
        if po is not None and po.message_id.strip("<>").casefold() in wanted:
            return shipment
    return None
