"""Fault injection for the demo store: random errors and drops, latency, and scripted faults."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass

FAULT_KINDS = frozenset({"500", "503", "drop", "429", "401", "slow"})
FAULT_WHEN = frozenset({"before", "after"})


@dataclass(slots=True)
class ScriptedFault:
    method: str  # upper case, or "*" for any method
    path_regex: re.Pattern[str]
    kind: str
    when: str
    times: int

    def matches(self, method: str, path: str, when: str) -> bool:
        return (
            self.when == when
            and self.method in ("*", method.upper())
            and self.path_regex.search(path) is not None
        )


class FaultInjector:
    """What goes wrong, and when. Thread-safe; attributes may be changed at any time.

    - `error_rate` (0..1): share of requests answered 500 or 503 before anything is applied.
    - `drop_rate` (0..1): share of requests whose connection is closed with no response.
    - `after_share` (0..1): share of those random faults that strike after a write was applied.
    - `latency_ms`: added to every request before it is handled.
    - `slow_seconds`: how long a scripted "slow" fault sleeps (default 5 s).
    - `script(method, path_regex, kind, when="before", times=1)`: the next `times` requests
      whose method matches (or "*") and whose path (without /stores/{hash}) matches the regex
      (`re.search`) get the fault. kind: "500", "503", "drop", "429", "401" or "slow".
      when="after": the request is applied first (a write takes effect), then the response
      fails; "slow" after means the answer comes late.
    - `clear()`: removes scripted faults and sets both rates back to 0 (latency stays).
    """

    def __init__(self, *, latency_ms: int = 0, seed: int = 1) -> None:
        self.error_rate = 0.0
        self.drop_rate = 0.0
        # Share of the random faults that strike after the request was applied (a write took
        # effect, its answer is lost); 0 keeps every random fault before anything is applied.
        self.after_share = 0.0
        self.latency_ms = latency_ms
        self.slow_seconds = 5.0
        self._scripts: list[ScriptedFault] = []
        self._lock = threading.Lock()
        self._rng = random.Random(seed)

    def script(
        self, method: str, path_regex: str, kind: str, when: str = "before", times: int = 1
    ) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        if when not in FAULT_WHEN:
            raise ValueError(f"unknown fault timing {when!r}; use 'before' or 'after'")
        if times < 1:
            raise ValueError("times must be at least 1")
        fault = ScriptedFault(method.upper(), re.compile(path_regex), kind, when, times)
        with self._lock:
            self._scripts.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._scripts.clear()
            self.error_rate = 0.0
            self.drop_rate = 0.0

    @property
    def pending(self) -> int:
        """Scripted faults not yet used up (counting each remaining time)."""
        with self._lock:
            return sum(f.times for f in self._scripts)

    def take(self, method: str, path: str, when: str) -> str | None:
        """The fault for this request at this point, if any (a scripted one is used up)."""
        with self._lock:
            for fault in self._scripts:
                if fault.matches(method, path, when):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._scripts.remove(fault)
                    return fault.kind
            # A read applies nothing: all its faults strike before (the rates stay whole).
            read = method.upper() == "GET"
            if when == "after":
                share = 0.0 if read else self.after_share
            else:
                share = 1.0 if read else 1.0 - self.after_share
            if share <= 0:
                return None
            roll = self._rng.random()
            if roll < self.drop_rate * share:
                return "drop"
            if roll < (self.drop_rate + self.error_rate) * share:
                return self._rng.choice(("500", "503"))
        return None
