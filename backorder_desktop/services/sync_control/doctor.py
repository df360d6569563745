"""Store check ("doctor"): read-only checks of a real store, each with what to do about it.

Every check only reads (GET). The report names no secret and no customer: scopes, switches,
field names, location labels, counts, client ids shortened, header figures and clock skew.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx

from backorder_desktop.bigcommerce import reads, scopes
from backorder_desktop.bigcommerce.error_mapping import parse_body
from backorder_desktop.bigcommerce.errors import (
    AuthError,
    BigCommerceError,
    NotFoundError,
    ScopeError,
)
from backorder_desktop.bigcommerce.ratelimit import H_LEFT, H_QUOTA, H_WINDOW
from backorder_desktop.cache.accounts import owners_seen
from backorder_desktop.domain.models import METAFIELD_NAMESPACE
from backorder_desktop.services.sync_control.session import StoreSession

MAX_SKEW_S = 60.0  # past this, "overdue" and "today" disagree with the store near midnight
STANDARD_RATE = 150 / 30.0  # requests per second on Standard and Plus plans (spec README)
# Native backorder fields (spec README), as the store may return them.
_SETTING_FIELDS = (
    "show_backorder_message",
    "show_quantity_on_backorder",
    "show_quantity_on_hand",
    "show_backorder_availability_prompt",
    "backorder_availability_prompt",
)
_ITEM_FIELDS = ("qty_backordered",)
_ITEM_SETTING_FIELDS = ("backorder_limit", "backorder_message", "backorder_message_id")


class DoctorClient(reads.Requester, reads.Lister, Protocol):
    """What the checks need of the client (a wrapper that counts requests will do)."""


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    found: str
    advice: str = ""


@dataclass(slots=True)
class DoctorReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [asdict(c) for c in self.checks]}

    def text(self) -> str:
        lines = [f"Store check: {'all well' if self.ok else 'needs attention'}"]
        for c in self.checks:
            lines.append(f"[{'ok' if c.ok else '!!'}] {c.name}: {c.found}")
            if c.advice:
                lines.append(f"     {c.advice}")
        return "\n".join(lines)


class _Seen:
    """The headers of every answer the checks got (rate limits, Date)."""

    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    def __call__(self, response: httpx.Response) -> httpx.Response:
        self.responses.append(response)
        return response


def check_store(session: StoreSession) -> DoctorReport:
    """The checks for a connected store (CLI `doctor`, Help > Check store connection…)."""
    # Never create a cache just to look: a store not synced yet has no own account known.
    own = owners_seen(session.cache)[0] if session.cache_exists else None
    return run_doctor(session.client, own_client_id=own)


def run_doctor(
    client: DoctorClient,
    *,
    own_client_id: str | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> DoctorReport:
    """Every check; AuthError/NotFoundError/OfflineError end it early as one failed check."""
    seen = _Seen()
    report = DoctorReport()
    try:
        missing = _scopes(client, seen, report)
        if scopes.INFORMATION_SETTINGS not in missing and scopes.STORE_INVENTORY not in missing:
            _backorders(client, seen, report)
        if scopes.STORE_LOCATIONS not in missing:
            _locations(client, report)
        if scopes.PRODUCTS not in missing:
            _tracked_by_product(client, report)
        _metafield_owners(client, report, own_client_id, missing)
    except (AuthError, NotFoundError) as exc:
        report.checks.append(Check("connection", False, exc.message, _CONNECT_ADVICE))
        return report
    except BigCommerceError as exc:
        report.checks.append(
            Check(
                "connection", False, exc.message, "Check the internet connection, then run again."
            )
        )
    report.checks.append(_rate_limits(seen.responses))
    report.checks.append(_clock(seen.responses, now()))
    return report


_CONNECT_ADVICE = (
    "Check the store hash and enter the API account's token again (File > Connect a store…)."
)


def _scopes(client: DoctorClient, seen: _Seen, report: DoctorReport) -> list[str]:
    missing: list[str] = []
    for scope in reads.PROBED_SCOPES:
        try:
            seen(reads.probe_scope(client, scope))
        except ScopeError:
            missing.append(scope)
    for scope in reads.PROBED_SCOPES:
        level = scopes.NEEDED[scope]
        if scope in missing:
            report.checks.append(
                Check(
                    f"scope: {scope}",
                    False,
                    "missing",
                    scopes.missing_scope_advice(scope, level),
                )
            )
        else:
            report.checks.append(Check(f"scope: {scope}", True, "present"))
    return missing


def _backorders(client: DoctorClient, seen: _Seen, report: DoctorReport) -> None:
    settings = parse_body(seen(reads.inventory_settings(client)))
    doc = settings.get("data") if isinstance(settings, dict) else None
    doc = doc if isinstance(doc, dict) else {}
    setting_fields = [k for k in _SETTING_FIELDS if k in doc]
    item_fields: set[str] = set()
    for item in reads.inventory_items(client, limit=50):
        for loc in item.get("locations") or []:
            if isinstance(loc, dict):
                item_fields.update(k for k in _ITEM_FIELDS if k in loc)
                inner = loc.get("settings")
                if isinstance(inner, dict):
                    item_fields.update(f"settings.{k}" for k in _ITEM_SETTING_FIELDS if k in inner)
        break  # one item shows the fields the store returns
    names = setting_fields + sorted(item_fields)
    on = bool(setting_fields) or "qty_backordered" in item_fields
    found = ("on" if on else "off") + (
        f"; fields seen: {', '.join(names)}" if names else "; no backorder fields seen"
    )
    advice = (
        ""
        if on
        else "Native backorders are off: turn on Backorders in the BigCommerce control panel "
        "(Settings > Inventory). Until then the app uses the pre-order switch per product."
    )
    report.checks.append(Check("native backorders", on, found, advice))


def _locations(client: DoctorClient, report: DoctorReport) -> None:
    all_locations = list(reads.locations(client))
    defaults = list(reads.locations(client, {"is_default": "true"}))
    labels = {d.get("id"): str(d.get("label") or d.get("code") or "") for d in all_locations}
    if len(defaults) == 1 and defaults[0].get("id") in labels:
        did = defaults[0].get("id")
        found = f"{len(all_locations)} location(s); default: {labels[did]} (id {did})"
        report.checks.append(Check("locations", True, found))
        return
    report.checks.append(
        Check(
            "locations",
            False,
            f"{len(all_locations)} location(s); no single default location named",
            "Set a default location in the control panel (Settings > Locations); receipts "
            "book stock there unless you choose another.",
        )
    )


def _tracked_by_product(client: DoctorClient, report: DoctorReport) -> None:
    params = {"include_fields": "inventory_tracking,base_variant_id"}
    simple = with_options = 0
    for product in reads.products(client, params):
        if product.get("inventory_tracking") == "product":
            if product.get("base_variant_id") is None:
                with_options += 1
            else:
                simple += 1
    found = f"{simple + with_options} product(s) tracked by product ({with_options} with options)"
    advice = (
        "Their stock is written by product id (BigCommerce refuses it by variant id); a product "
        "with options tracked by product shares one stock between its variants."
        if simple + with_options
        else ""
    )
    report.checks.append(Check("products tracked by product", True, found, advice))


def _metafield_owners(
    client: DoctorClient, report: DoctorReport, own: str | None, missing: list[str]
) -> None:
    needs = {
        "store": scopes.INFORMATION_SETTINGS,
        "variant": scopes.PRODUCTS,
        "order": scopes.ORDERS,
    }
    owners: dict[str, int] = {}
    for resource_type, scope in needs.items():
        if scope in missing:
            continue
        for m in reads.metafields(client, resource_type, {"namespace": METAFIELD_NAMESPACE}):
            owner = str(m.get("owner_client_id") or "")
            if owner:
                owners[owner] = owners.get(owner, 0) + 1
    # Without this laptop's own account (it has not written yet), any second account is one
    # too many: every account found is listed.
    others = sorted(o for o in owners if o != own) if own else sorted(owners)
    if not others or (own is None and len(owners) <= 1):
        found = (
            f"{sum(owners.values())} app record(s), all from one API account"
            if owners
            else "no app records yet"
        )
        report.checks.append(Check("app records of other API accounts", True, found))
        return
    shown = ", ".join(f"…{o[-6:]} ({owners[o]})" for o in others[:5])
    what = "other account(s)" if own else f"{len(owners)} API accounts"
    report.checks.append(
        Check(
            "app records of other API accounts",
            False,
            f"{sum(owners[o] for o in others)} record(s) from {what}: {shown}",
            "Use one API account on every computer of this store (BigCommerce: Settings > "
            "API): enter the same token everywhere (File > Connect a store…), then delete "
            "the other account.",
        )
    )


def _rate_limits(responses: list[httpx.Response]) -> Check:
    for response in reversed(responses):
        h = response.headers
        quota, window, left = h.get(H_QUOTA), h.get(H_WINDOW), h.get(H_LEFT)
        if quota and window:
            try:
                q, w_ms = int(quota), int(window)
                lft = int(left) if left else None
            except ValueError:
                continue
            rate = q / (w_ms / 1000) if w_ms else 0.0
            found = f"{q} requests per {w_ms / 1000:g} s" + (
                f", {lft} left in this window" if lft is not None else ""
            )
            if rate >= STANDARD_RATE:
                return Check("API rate limit", True, found)
            return Check(
                "API rate limit",
                False,
                found,
                "Below the Standard plan's 150 requests per 30 s: syncs will be slow. Other "
                "apps share this quota; ask BigCommerce support about the store's plan.",
            )
    return Check("API rate limit", True, "no rate-limit headers seen")


def _clock(responses: list[httpx.Response], now: datetime) -> Check:
    for response in reversed(responses):
        raw = response.headers.get("date")
        if not raw:
            continue
        try:
            theirs = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            continue
        if theirs.tzinfo is None:
            theirs = theirs.replace(tzinfo=UTC)
        skew = (now - theirs).total_seconds()
        found = (
            f"this computer is {abs(skew):.0f} s {'ahead of' if skew > 0 else 'behind'} BigCommerce"
        )
        if abs(skew) <= MAX_SKEW_S:
            return Check("clock", True, found)
        return Check(
            "clock",
            False,
            found,
            "Set the computer's clock to update automatically (date and time settings): "
            "overdue shipments and today's ETAs depend on it.",
        )
    return Check("clock", True, "no Date header seen")
