"""Delay policy and consent (issue 19.1): which delays ask the customer, and what they answered.

Under the US FTC Mail, Internet or Telephone Order Merchandise Rule a first delay is told with
the revised date and the right to cancel for a full refund (the "delay" notice); a later delay,
or a first one without a revised date, needs the customer's express consent (the "consent"
notice), and without it by the reply-by day the order is cancelled and refunded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .notice_log import CONSENT, DELAY, NoticeRecord

CONSENT_KEY = "consent"  # order metafield: the answers staff recorded (shared by laptops)
POLICY_KEY = "delay_policy"  # store metafield: "us" or "none" (absent: the store's country)

US, NONE = "us", "none"
POLICY_LABELS = {US: "US rule (FTC Mail Order Rule)", NONE: "None"}
_US_NAMES = {"united states", "united states of america", "us", "usa"}

ASKED, GIVEN, REFUSED, EXPIRED = "asked", "given", "refused", "expired"
STATES: tuple[str, ...] = (ASKED, GIVEN, REFUSED, EXPIRED)
STATE_LABELS = {
    None: "not needed",
    ASKED: "asked",
    GIVEN: "given",
    REFUSED: "refused",
    EXPIRED: "consent expired",
}
ANSWERS: tuple[str, ...] = (GIVEN, REFUSED)

# The customer always gets at least this long to answer, even when the date told before is
# nearer (or has passed: the delay was found late); without any date told, the rule's 30 days.
MIN_REPLY_DAYS = 7
NO_DATE_REPLY_DAYS = 30


def default_policy(country: str | None) -> str:
    """The policy a store gets unless the merchant chose one: the US rule for a US store."""
    return US if (country or "").strip().casefold() in _US_NAMES else NONE


def effective_policy(chosen: str | None, country: str | None) -> str:
    return chosen if chosen in POLICY_LABELS else default_policy(country)


def asks_consent(policy: str, log: Iterable[NoticeRecord], revised: date | None) -> bool:
    """Whether a delay told now needs the customer's consent: under the US rule, when the
    order was told of a delay before, or when there is no revised date to give."""
    if policy != US:
        return False
    return revised is None or any(r.kind in (DELAY, CONSENT) for r in log)


def reply_by(told: date | None, today: date) -> date:
    """The day a consent request must be answered by: the date told before (the end of the
    delay the customer already accepted), at least MIN_REPLY_DAYS away."""
    if told is None:
        return today + timedelta(days=NO_DATE_REPLY_DAYS)
    return max(told, today + timedelta(days=MIN_REPLY_DAYS))


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer recorded by staff (or confirmed from a reply): consent given or refused."""

    state: str  # GIVEN | REFUSED
    at: datetime
    source: str = "staff"  # "staff", "reply", ... (who or what it came from)
    request: str = ""  # the id of the consent request it answers ("" if none was open)

    def to_obj(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "at": self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "source": self.source,
            "request": self.request,
        }


def parse_answers(text: str | None) -> list[Answer]:
    """The answers in a `consent` metafield value; unreadable entries are skipped."""
    try:
        doc = json.loads(text or "")
    except ValueError:
        return []
    items = doc.get("answers") if isinstance(doc, dict) else None
    out = []
    for item in items if isinstance(items, list) else []:
        try:
            state = str(item["state"])
            at = datetime.fromisoformat(str(item["at"]).replace("Z", "+00:00"))
        except (KeyError, TypeError, ValueError):
            continue
        if state not in ANSWERS:
            continue
        at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
        out.append(Answer(state, at, str(item.get("source") or ""), str(item.get("request") or "")))
    return sorted(out, key=lambda a: a.at)


def dump_answers(answers: Sequence[Answer]) -> str:
    ordered = sorted(answers, key=lambda a: a.at)[-50:]  # far below the 65,535-character cap
    return json.dumps({"answers": [a.to_obj() for a in ordered]}, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Delay:
    """One delay the customer was told: when, and the revised date it gave (None: unknown)."""

    told_on: date
    revised: date | None
    asked: bool  # a consent request


@dataclass(frozen=True, slots=True)
class ConsentStatus:
    state: str | None  # None: not needed
    delays: tuple[Delay, ...] = ()
    reply_by: date | None = None  # of the open request
    request: str = ""  # the latest consent request's id
    answered_at: datetime | None = None
    source: str = ""

    @property
    def label(self) -> str:
        text = STATE_LABELS[self.state]
        if self.state == ASKED and self.reply_by is not None:
            text += f", reply by {self.reply_by.isoformat()}"
        return text

    @property
    def to_cancel(self) -> bool:
        """The order should be cancelled and refunded: no consent by the day, or refused."""
        return self.state in (EXPIRED, REFUSED)


def consent_status(
    log: Iterable[NoticeRecord], answers: Iterable[Answer], today: date
) -> ConsentStatus:
    """An order's consent now. Only an answer given after the latest consent request (or
    naming it) counts: consent to one delay is not consent to the next."""
    records = sorted(log, key=lambda r: (r.sent_at, r.id))
    delays = tuple(
        Delay(r.sent_at.astimezone(UTC).date(), r.eta, r.kind == CONSENT)
        for r in records
        if r.kind in (DELAY, CONSENT)
    )
    requests = [r for r in records if r.kind == CONSENT]
    if not requests:
        return ConsentStatus(None, delays)
    last = requests[-1]
    deadline = last.reply_by or reply_by(None, last.sent_at.astimezone(UTC).date())
    answered = [a for a in answers if a.request == last.id or a.at >= last.sent_at]
    if answered:
        answer = max(answered, key=lambda a: a.at)
        return ConsentStatus(answer.state, delays, deadline, last.id, answer.at, answer.source)
    state = EXPIRED if today > deadline else ASKED
    return ConsentStatus(state, delays, deadline, last.id)
