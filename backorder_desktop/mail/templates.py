"""Rendering notices with Jinja2: autoescaped HTML, plain text, one-line subjects; validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.exceptions import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from ..domain.cancellations import money_text
from ..domain.notice_log import KIND_LABELS, KINDS
from ..domain.notices import DueLine, DueNotice
from .default_templates import DEFAULTS, TemplateSet
from .message import one_line

# Every placeholder a template may use, with what it holds (shown in the template editor).
PLACEHOLDERS: dict[str, str] = {
    "store_name": "your store's name (Mail settings)",
    "customer_name": "the customer's billing name",
    "first_name": "the customer's first name",
    "order_id": "the order number",
    "order_date": "the date of the order",
    "intro": "the intro text (editable before sending)",
    "intro_paragraphs": "the intro text split into paragraphs",
    "eta": "when the whole order can ship, e.g. 12 December 2026 (empty if unknown)",
    "eta_known": "true when every item has a date",
    "old_eta": "delay: the date told before",
    "reason": "delay: the reason you type before sending (may be empty)",
    "days_to_eta": "check-in: days until the ETA (none if unknown)",
    "kind": "confirmation, delay, released, check_in, cancelled or earlier",
    "lines": (
        "the items: line.name, line.options, line.sku, line.qty, line.eta, line.old_eta, "
        "line.order_id"
    ),
    "partial": "on its way, cancelled: true when part of the order still waits",
    "waiting_lines": (
        "on its way or cancelled, in part: what still waits (line.name, line.qty, line.eta)"
    ),
    "refund_amount": "cancelled: the amount refunded or to refund, e.g. USD 49.90 (may be empty)",
    "refund_made": "cancelled: true when the app refunded it through BigCommerce",
    "cancel_reason": "cancelled: the reason typed when cancelling (may be empty)",
    "eta_passed": "the date given before, when it has passed (the new one is to be confirmed)",
    "orders": "check-in: the customer's orders in this email (o.order_id, o.order_date)",
    "order_url": "the order on your storefront (empty unless the store URL is set)",
    "shop_contact": "your shop's contact details (Mail settings; may be empty)",
}
PARTS = ("subject", "html", "text")
PART_LABELS = {"subject": "Subject", "intro": "Intro", "html": "HTML part", "text": "Text part"}


class TemplateError(ValueError):
    """A template that cannot be used, in words the merchant can act on."""


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    html: str
    text: str


def friendly_date(value: date | None) -> str:
    """'12 December 2026' (no locale: the same on every laptop and in every email)."""
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B')} {value.year}"


def _line(
    line: DueLine, today: date, order_id: int = 0, options: Mapping[int, str] | None = None
) -> dict[str, Any]:
    # A date already passed is never told as a promise: "to be confirmed" instead.
    eta = line.eta if line.eta is not None and line.eta >= today else None
    return {
        "name": line.name,
        "options": (options or {}).get(line.line_id, ""),  # e.g. "Size: M, Colour: Red"
        "sku": line.sku,
        "qty": line.qty,
        "eta": friendly_date(eta),
        "old_eta": friendly_date(line.told_eta),
        "order_id": order_id,
    }


def _placed(notice: DueNotice) -> str:
    return friendly_date(notice.order_date.date()) if notice.order_date else ""


def notice_context(
    notice: DueNotice,
    *,
    store_name: str,
    intro: str,
    reason: str = "",
    today: date | None = None,
    store_url: str = "",
    shop_contact: str = "",
    options: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """The values a template sees for one notice; `options`: line id -> the variant's options."""
    today = today or datetime.now(UTC).date()
    eta = notice.eta
    passed = eta if eta is not None and eta < today else None
    if passed is not None:
        eta = None
    paragraphs = [p.strip() for p in intro.replace("\r\n", "\n").split("\n\n") if p.strip()]
    name = notice.customer_name.strip()
    return {
        "store_name": store_name,
        "customer_name": name or "customer",
        "first_name": name.split()[0] if name else "",
        "order_id": notice.order_id,
        "order_date": _placed(notice),
        "intro": intro,
        "intro_paragraphs": paragraphs,
        "eta": friendly_date(eta),
        "eta_known": eta is not None,
        "old_eta": friendly_date(notice.old_eta),
        "reason": reason.strip(),
        "days_to_eta": (eta - today).days if eta is not None else None,
        "kind": notice.kind,
        "lines": [
            _line(line, today, n.order_id, options)
            for n in (notice, *notice.others)
            for line in n.lines
        ],
        "partial": (notice.kind == "released" and bool(notice.waiting))
        or (notice.kind == "cancelled" and notice.order_left),
        "refund_amount": money_text(notice.refund_amount, notice.refund_currency),
        "refund_made": notice.refund_made,
        "cancel_reason": notice.cancel_reason.strip(),
        "waiting_lines": [_line(line, today, notice.order_id, options) for line in notice.waiting],
        "eta_passed": friendly_date(passed),
        "orders": [
            {"order_id": n.order_id, "order_date": _placed(n)} for n in (notice, *notice.others)
        ],
        "order_url": order_url(store_url, notice.order_id),
        "shop_contact": shop_contact.strip(),
    }


def order_url(store_url: str, order_id: int) -> str:
    """The customer's order page on a BigCommerce storefront ("" when the URL is not set)."""
    base = store_url.strip().rstrip("/")
    if not base.startswith(("https://", "http://")):
        return ""
    return f"{base}/account.php?action=view_order&order_id={order_id}"


def sample_notice(kind: str) -> DueNotice:
    """A made-up notice for previews and for checking a template before it is saved."""
    lines = (
        DueLine(1, "TENT-2P-GRN", "Trail tent, 2 person", 1, date(2026, 12, 12), "shipment",
                "PO-1042", date(2026, 12, 1)),
        DueLine(2, "MUG-ENAMEL", "Enamel mug", 2, date(2026, 12, 5), "manual", "",
                date(2026, 12, 1)),
    )  # fmt: skip
    # A released sample ships the tent and leaves the mugs waiting: every branch renders.
    return DueNotice(
        order_id=1042,
        kind=kind,
        email="sam@example.com",
        customer_name="Sam O'Brien",
        order_date=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        lines=lines[:1] if kind in ("released", "cancelled") else lines,
        waiting=lines[1:] if kind in ("released", "cancelled") else (),
        refund_amount=149.0 if kind == "cancelled" else None,
        refund_currency="USD",
        refund_made=kind == "cancelled",
        cancel_reason="Our supplier has stopped making it." if kind == "cancelled" else "",
        order_left=kind == "cancelled",
    )


class NoticeRenderer:
    """Compiles each kind's templates once; renders thousands of notices quickly."""

    def __init__(self, templates: Mapping[str, TemplateSet] | None = None) -> None:
        self.templates = {**DEFAULTS, **(templates or {})}
        self._html = _environment(autoescape=True)
        self._text = _environment(autoescape=False)
        self._compiled: dict[tuple[str, str], Any] = {}

    def _template(self, kind: str, part: str) -> Any:
        key = (kind, part)
        compiled = self._compiled.get(key)
        if compiled is None:
            source = getattr(self.templates[kind], part)
            env = self._html if part == "html" else self._text
            try:
                compiled = env.from_string(source)
            except TemplateSyntaxError as exc:
                raise TemplateError(_describe(kind, part, exc)) from None
            self._compiled[key] = compiled
        return compiled

    def render(self, notice: DueNotice, context: Mapping[str, Any]) -> RenderedMail:
        kind = notice.kind
        out: dict[str, str] = {}
        for part in PARTS:
            try:
                out[part] = self._template(kind, part).render(context)
            except TemplateError:
                raise
            except JinjaError as exc:
                raise TemplateError(_describe(kind, part, exc)) from None
        if context.get("partial"):
            # A template edited before partial releases were told (no `waiting_lines`): the
            # customer must still learn what waits, or they take part of the order for all.
            for part in ("html", "text"):
                if "waiting_lines" not in getattr(self.templates[kind], part):
                    out[part] = _with_waiting(out[part], context, html=part == "html")
        return RenderedMail(one_line(out["subject"]), out["html"], out["text"])

    def default_intro(self, kind: str) -> str:
        return self.templates[kind].intro


_STILL_TO_COME = """{% for line in waiting_lines %}- {{ line.qty }} x {{ line.name }}: \
{% if line.eta %}expected {{ line.eta }}{% else %}date to be confirmed{% endif %}
{% endfor %}"""


def _with_waiting(body: str, context: Mapping[str, Any], *, html: bool) -> str:
    env = _environment(autoescape=html)
    if html:
        items = env.from_string(
            "<p><strong>Still to come</strong> (part of your order still waits):</p><ul>"
            + _STILL_TO_COME.replace("- ", "<li>").replace("\n", "</li>\n")
            + "</ul>\n"
        ).render(context)
        at = body.rfind("</body>")
        return body[:at] + items + body[at:] if at >= 0 else body + items
    items = env.from_string(_STILL_TO_COME).render(context)
    return f"{body.rstrip()}\n\nStill to come (part of your order still waits):\n{items}"


def _environment(*, autoescape: bool) -> SandboxedEnvironment:
    # Sandboxed: templates are edited by the merchant and must not reach Python internals.
    # StrictUndefined: a misspelt placeholder is an error, never a silent blank in an email.
    return SandboxedEnvironment(
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def _describe(kind: str, part: str, exc: Exception) -> str:
    where = f"{PART_LABELS.get(part, part)} of the {KIND_LABELS.get(kind, kind)} template"
    line = getattr(exc, "lineno", None)
    if line and part != "subject":
        where += f", line {line}"
    message = getattr(exc, "message", None) or str(exc)
    if "is undefined" in message:
        name = message.split("'")[1] if message.count("'") >= 2 else message
        return (
            f"{where}: unknown placeholder '{name}'. "
            f"Placeholders you can use: {', '.join(sorted(PLACEHOLDERS))}."
        )
    return f"{where}: {message}"


def validate_template(
    kind: str, template: TemplateSet, *, store_name: str = "Your Store"
) -> RenderedMail:
    """Raise TemplateError if any part does not parse or uses an unknown placeholder.

    Unknown names are found in every branch (not only the one a sample takes); then a sample
    notice is rendered to catch the rest (e.g. `line.nmae`). Returns that sample rendering.
    """
    if kind not in KINDS:
        raise TemplateError(f"There is no notice kind '{kind}'.")
    env = _environment(autoescape=False)
    for part in PARTS:
        source = getattr(template, part)
        if part == "subject" and not source.strip():
            raise TemplateError("The subject line must not be empty.")
        try:
            unknown = meta.find_undeclared_variables(env.parse(source)) - set(PLACEHOLDERS)
        except TemplateSyntaxError as exc:
            raise TemplateError(_describe(kind, part, exc)) from None
        if unknown:
            names = ", ".join(f"'{n}'" for n in sorted(unknown))
            raise TemplateError(
                f"{PART_LABELS[part]} of the {KIND_LABELS[kind]} template: unknown placeholder "
                f"{names}. Placeholders you can use: {', '.join(sorted(PLACEHOLDERS))}."
            )
    notice = sample_notice(kind)
    context = notice_context(
        notice,
        store_name=store_name,
        intro=template.intro,
        reason="A late container.",
        store_url="https://shop.example.com",
        shop_contact="+1 555 0100, Mon-Fri 9-17",
        options={line.line_id: "Size: M, Colour: Green" for line in notice.lines[:1]},
    )
    rendered = NoticeRenderer({kind: template}).render(notice, context)
    if not rendered.subject:
        raise TemplateError("The subject line renders empty.")
    return rendered
