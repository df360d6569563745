"""Printing results: one JSON document with --json, a short human summary otherwise.

Store text (customer names, e-mail addresses, supplier names, BigCommerce messages) is written
by strangers: everything printed goes through `TerminalSafeStream`, which shows control
characters as visible escapes, so `\\x1b[2J` in an address cannot clear or retitle a terminal.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TextIO

# C0 and C1 controls and DEL (escape sequences, CR overprinting, bells), and the bidi controls
# that reorder what a terminal shows ("Trojan source"). Newline and tab stay.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# JSON already escapes C0 controls; these it would print raw.
_UNSAFE_IN_JSON = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """`text` with every control character shown as a visible escape (\\x1b, \\u202e)."""
    return _UNSAFE.sub(_visible, text)


class TerminalSafeStream:
    """A text stream that writes through `terminal_safe`; the rest is the wrapped stream's."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(terminal_safe(text))
        return len(text)

    def writelines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding...
        return getattr(self.inner, name)


@contextmanager
def safe_terminal() -> Iterator[None]:
    """Route sys.stdout and sys.stderr through TerminalSafeStream for one command."""
    saved = sys.stdout, sys.stderr
    sys.stdout = TerminalSafeStream(saved[0])  # type: ignore[assignment]
    sys.stderr = TerminalSafeStream(saved[1])  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def progress_line(text: str) -> None:
    """Overwrite the current stderr line (a carriage return, which the safe stream escapes)."""
    stream = getattr(sys.stderr, "inner", sys.stderr)
    stream.write("\r" + terminal_safe(text))
    stream.flush()


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot print {type(value).__name__} as JSON")


def print_json(document: Any) -> None:
    text = json.dumps(document, default=_default, ensure_ascii=False, indent=2)
    # JSON escapes (\\u009b) keep the data exact for a script and harmless on a terminal.
    text = _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers]] + [
        ["" if c is None else terminal_safe(str(c)).replace("\n", " ") for c in r] for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
