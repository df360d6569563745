"""A customer's reply in words: what they wrote (no quote, no signature) and what they ask.

Pure functions. The answers recognised are those the notices invite ("wait", "ship what is
in stock", "cancel"), in the languages the notice templates ship in (English: see
mail/default_templates.py). Anything else, or a reply that asks for two things at once, gets
no suggestion: staff read it as it is. A suggestion is never acted on without staff.
"""

from __future__ import annotations

import re

CANCEL, KEEP, SHIP_PARTIAL = "cancel", "keep", "ship_partial"
SUGGESTIONS: tuple[str, ...] = (CANCEL, KEEP, SHIP_PARTIAL)
SUGGESTION_LABELS = {
    CANCEL: "Cancel the order",
    KEEP: "Keep the order (wait)",
    SHIP_PARTIAL: "Ship what is in stock",
}

# Where the quoted original starts: everything from there on is the notice, not the customer.
_QUOTE_STARTS = (
    re.compile(r"^\s*On .{0,300}wrote:?\s*$", re.IGNORECASE),  # Gmail, Apple Mail
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}", re.IGNORECASE),  # Outlook
    re.compile(r"^\s*-{2,}\s*Forwarded message\s*-{2,}", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above the quoted header block
    re.compile(r"^\s*From:\s.+$", re.IGNORECASE),  # a quoted header block (Outlook, Yahoo)
)
# "On Mon, 7 Dec 2026 at 10:00, Shop <a@b.c>" then "wrote:" on the next line (Gmail wraps).
_ON_START = re.compile(r"^\s*On\s.{0,300}$", re.IGNORECASE)
_WROTE = re.compile(r"^\s*.{0,200}wrote:\s*$", re.IGNORECASE)
_SIGNATURE = re.compile(r"^(--|__)\s*$")  # "-- " (RFC 3676), or a bare "__"
_SENT_FROM = re.compile(r"^\s*Sent from my \w+", re.IGNORECASE)
# A closing line ("Thanks,", "Kind regards") after the customer's words: the name follows.
_CLOSING = re.compile(
    r"^\s*(?:thanks|thank you|many thanks|thanks again|cheers|regards|best|best regards|"
    r"kind regards|warm regards|best wishes|sincerely|yours sincerely)\s*[,.!]?\s*$",
    re.IGNORECASE,
)

# Per language: (suggestion, pattern). English only: the templates ship in English.
_NEGATED = (
    # "don't cancel", "no need to cancel", "please do not cancel": the customer keeps it.
    (KEEP, r"\b(?:do not|don'?t|dont|no need to|not|never|no)\s+(?:\w+\s+){0,2}cancel\w*"),
    # "can't wait to get it" is impatience or joy, not an answer: it counts as nothing.
    ("", r"\b(?:can'?t|cannot|can not|won'?t|will not|not willing to|don'?t want to)\s+"
         r"(?:\w+\s+){0,1}wait\w*"),
)  # fmt: skip
_PHRASES: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        (SHIP_PARTIAL,
         r"\b(?:ship|send|post|dispatch)\s+(?:me\s+)?(?:what(?:ever)?|the items?|the ones?|"
         r"those|the parts?|the rest|anything|everything)\s+(?:you(?:'ve| have| got)?|is|are|"
         r"'s|that(?:'s| is| are)|in stock|available|ready)"),
        (SHIP_PARTIAL, r"\b(?:ship|send)\s+(?:it\s+|them\s+)?(?:in\s+)?(?:parts|separately|"
                       r"partial(?:ly)?)\b"),
        (SHIP_PARTIAL, r"\bpartial\s+(?:shipment|delivery|order)\b"),
        (SHIP_PARTIAL, r"\bwhat(?:ever)?\s+(?:is|'s)\s+in\s+stock\b"),
        (CANCEL, r"\bcancel\w*"),
        (CANCEL, r"\b(?:refund|money back|my money)\b"),
        (CANCEL, r"\b(?:no longer|don'?t|do not)\s+(?:want|need)\b"),
        (KEEP, r"\b(?:i'?ll|i will|i can|i'?m happy to|happy to|i don'?t mind|fine to|ok to|"
               r"okay to|willing to|glad to|i'?ll gladly|we'?ll|we will|we can)\s+"
               r"(?:\w+\s+)?wait\w*"),
        (KEEP, r"\bkeep\s+(?:my|the|our|this)\s+order\b"),
        (KEEP, r"\b(?:keep|hold)\s+(?:it|them|the items?)\b"),
        (KEEP, r"\b(?:i'?ll|i will|we'?ll|we will)\s+keep\b"),
        (KEEP, r"\b(?:no problem|no worries|that'?s fine|that is fine|fine by me|sounds good)\b"),
        (KEEP, r"\bstill want\b"),
    ),
}  # fmt: skip
# A reply of one word (or "Wait, thanks"): the choice the notice offered.
_ONE_WORD = {
    "cancel": CANCEL,
    "refund": CANCEL,
    "keep": KEEP,
    "wait": KEEP,
    "ok": KEEP,
    "okay": KEEP,
    "fine": KEEP,
    "ship": SHIP_PARTIAL,
    "partial": SHIP_PARTIAL,
}
_FILLER = {"please", "thanks", "thank", "you", "thx", "yes", "i", "ll", "will", "the", "order"}


def own_words(text: str) -> str:
    """The customer's words: without quoted lines ("> ..."), the quoted original after "On
    ... wrote:" (or an Outlook header block), the closing ("Thanks,") and the signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line) or _SENT_FROM.match(line):
            break
        if any(p.match(line) for p in _QUOTE_STARTS):
            break
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _ON_START.match(line) and _WROTE.match(following) and not line.rstrip().endswith("."):
            break
        if line.lstrip().startswith(">"):
            continue
        if _CLOSING.match(line) and any(k.strip() for k in kept):
            break
        kept.append(line.rstrip())
    while kept and not kept[-1].strip():
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return "\n".join(kept)


def _normalise(text: str) -> str:
    text = text.casefold().replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text)


def suggest(text: str, languages: tuple[str, ...] = ("en",)) -> str | None:
    """'cancel', 'keep', 'ship_partial' or None for the customer's own words (see own_words).

    None when nothing is recognised, or when the words ask for different things ("ship what
    you have or cancel"): a person decides those.
    """
    words = _normalise(own_words(text))
    if not words.strip():
        return None
    found: set[str] = set()
    for meaning, pattern in _NEGATED:
        if re.search(pattern, words):
            if meaning:
                found.add(meaning)
            words = re.sub(pattern, " ", words)
    for language in languages:
        for meaning, pattern in _PHRASES.get(language, ()):
            if re.search(pattern, words):
                found.add(meaning)
    if not found:
        tokens = [t for t in re.findall(r"[a-z']+", words) if t not in _FILLER]
        if len(tokens) == 1 and tokens[0] in _ONE_WORD:
            found.add(_ONE_WORD[tokens[0]])
    return found.pop() if len(found) == 1 else None


def excerpt(text: str, limit: int = 200) -> str:
    """The first words of the customer's own text, on one line."""
    one_line = re.sub(r"\s+", " ", own_words(text)).strip()
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"
