"""A purchase order to a supplier: its contents, its printable HTML and its email text.

The HTML is what the window renders to PDF (Qt's rich text). Everything in it that comes from
the store or the merchant (product names, supplier names, codes, the note) is escaped here, so
a product called `<img src="//host/x.png">` prints as those characters and loads nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import escape


class PurchaseOrderError(ValueError):
    """A purchase order that cannot go out as it is (says what to fix)."""


@dataclass(frozen=True, slots=True)
class PoLine:
    sku: str
    name: str  # product name, with its options
    supplier_code: str
    qty: int


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    number: str
    issued: date
    wanted: date | None
    merchant_name: str
    merchant_email: str
    merchant_contact: str  # Mail settings' shop contact: phone, address, hours (several lines)
    supplier_name: str
    supplier_email: str
    lines: tuple[PoLine, ...]
    note: str = ""

    @property
    def units(self) -> int:
        return sum(line.qty for line in self.lines)

    def check(self, today: date) -> None:
        """PurchaseOrderError unless this order can be sent or saved as it is."""
        if not self.number.strip():
            raise PurchaseOrderError("A purchase order needs a number.")
        if not self.lines:
            raise PurchaseOrderError("A purchase order needs at least one line.")
        if any(line.qty <= 0 for line in self.lines):
            raise PurchaseOrderError(
                "Every line of a purchase order needs a quantity of 1 or more."
            )
        if self.wanted is None:
            raise PurchaseOrderError("Give the date the goods are wanted by.")
        if self.wanted < today:
            raise PurchaseOrderError(
                f"The date wanted {self.wanted.isoformat()} has passed: give today or later."
            )


def _text(value: str) -> str:
    """Escaped, line breaks kept."""
    return "<br>".join(escape(part, quote=True) for part in value.strip().splitlines())


def po_html(po: PurchaseOrder) -> str:
    """The printable purchase order (Qt rich text subset: tables, no CSS layout)."""
    merchant = [f'<span style="font-size:15pt"><b>{_text(po.merchant_name)}</b></span>']
    if po.merchant_contact.strip():
        merchant.append(_text(po.merchant_contact))
    if po.merchant_email:
        merchant.append(_text(po.merchant_email))
    wanted = po.wanted.isoformat() if po.wanted else "to be agreed"
    facts = (
        '<span style="font-size:18pt"><b>Purchase order</b></span><br>'
        f"PO number: <b>{_text(po.number)}</b><br>"
        f"Date: {po.issued.isoformat()}<br>"
        f"Wanted by: <b>{wanted}</b>"
    )
    supplier = f"<b>{_text(po.supplier_name)}</b>"
    if po.supplier_email:
        supplier += f"<br>{_text(po.supplier_email)}"
    rows = "".join(
        "<tr>"
        f'<td align="right">{n}</td>'
        f"<td>{_text(line.sku)}</td>"
        f"<td>{_text(line.supplier_code)}</td>"
        f"<td>{_text(line.name)}</td>"
        f'<td align="right">{line.qty}</td>'
        "</tr>"
        for n, line in enumerate(po.lines, 1)
    )
    note = f"<p><b>Note</b><br>{_text(po.note)}</p>" if po.note.strip() else ""
    return (
        '<html><body style="font-family: sans-serif; font-size: 10pt">'
        '<table width="100%" cellpadding="0" cellspacing="0"><tr>'
        f'<td valign="top">{"<br>".join(merchant)}</td>'
        f'<td valign="top" align="right">{facts}</td>'
        "</tr></table>"
        f"<p>Supplier:<br>{supplier}</p>"
        '<p style="font-size: 4pt">&nbsp;</p>'  # Qt's rich text ignores a table's margin
        '<table width="100%" border="1" cellspacing="0" cellpadding="4" '
        'style="border-collapse: collapse; border-color: #888888">'
        '<thead><tr style="background-color: #e8e8e8">'
        '<th align="right">#</th><th align="left">SKU</th><th align="left">Supplier code</th>'
        '<th align="left">Product</th><th align="right">Quantity</th></tr></thead>'
        f"{rows}"
        f'<tr><td colspan="4" align="right"><b>Total units</b></td>'
        f'<td align="right"><b>{po.units}</b></td></tr>'
        "</table>"
        f"{note}"
        "<p>Please confirm the delivery date by replying to this email, quoting the PO "
        "number.</p>"
        "</body></html>"
    )


def po_subject(po: PurchaseOrder) -> str:
    return f"Purchase order {po.number} from {po.merchant_name}"


def po_email_text(po: PurchaseOrder) -> str:
    """The body of the email the PDF goes with (plain text; the HTML part escapes it)."""
    wanted = po.wanted.isoformat() if po.wanted else "a date to be agreed"
    parts = [
        f"Hello {po.supplier_name},",
        "",
        f"Please find attached our purchase order {po.number}: {len(po.lines)} line(s), "
        f"{po.units} unit(s), wanted by {wanted}.",
        "Please confirm the delivery date by replying to this email, quoting the PO number.",
    ]
    if po.note.strip():
        parts += ["", po.note.strip()]
    parts += ["", "Thank you,", po.merchant_name]
    if po.merchant_contact.strip():
        parts.append(po.merchant_contact.strip())
    return "\n".join(parts) + "\n"


def po_email_html(po: PurchaseOrder) -> str:
    return "".join(f"<p>{_text(block)}</p>" for block in po_email_text(po).split("\n\n"))


_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def po_filename(po: PurchaseOrder) -> str:
    """A file name every system accepts (no path, no quotes, no control characters)."""
    stem = _UNSAFE_FILE_CHARS.sub("-", po.number).strip("-.")[:80] or "purchase-order"
    return f"{stem}.pdf" if stem.upper().startswith("PO") else f"PO-{stem}.pdf"
