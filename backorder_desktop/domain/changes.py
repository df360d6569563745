"""What a write or a sync touched, by resource and key, so the window re-reads only that."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Changes:
    """Keys a change touched. `everything`: unknown or too wide to say; re-read it all.

    orders: order ids (priority, partial shipment, status, allocations);
    variants: variant ids (ETA, limit, stock, allocation of their units);
    products: product ids (storefront fields; their variants' rows follow);
    shipments: supplier shipment ids (their rows; the SKUs they carry go in `variants`);
    outbox: the outbox counts in the status bar moved (pending, failed).
    """

    orders: frozenset[int] = frozenset()
    variants: frozenset[int] = frozenset()
    products: frozenset[int] = frozenset()
    shipments: frozenset[str] = frozenset()
    outbox: bool = False
    everything: bool = False

    @classmethod
    def of(
        cls,
        *,
        orders: Iterable[int] = (),
        variants: Iterable[int] = (),
        products: Iterable[int] = (),
        shipments: Iterable[str] = (),
        outbox: bool = False,
    ) -> Changes:
        return cls(
            frozenset(orders), frozenset(variants), frozenset(products), frozenset(shipments),
            outbox,
        )  # fmt: skip

    @classmethod
    def all(cls) -> Changes:
        return cls(everything=True)

    @property
    def rows(self) -> bool:
        """Whether any table row may differ (else only the status bar, if `outbox`)."""
        return self.everything or bool(self.orders or self.variants or self.products)

    @property
    def empty(self) -> bool:
        return not (self.rows or self.shipments or self.outbox)

    def __or__(self, other: Changes) -> Changes:
        if self.everything or other.everything:
            return Changes.all()
        return Changes(
            self.orders | other.orders,
            self.variants | other.variants,
            self.products | other.products,
            self.shipments | other.shipments,
            self.outbox or other.outbox,
        )


NOTHING = Changes()
