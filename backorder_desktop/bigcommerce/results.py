"""Outcome of a batch write: which items the store accepted and which it refused, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import ItemError


@dataclass(slots=True)
class BatchResult:
    succeeded: list[dict[str, Any]] = field(default_factory=list)  # the store's reply per item
    failed: list[ItemError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def extend(self, other: BatchResult) -> None:
        self.succeeded.extend(other.succeeded)
        self.failed.extend(other.failed)
