"""How a variant's on hand, backordered and waiting counts relate, in words a merchant reads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StockCounts:
    """The three numbers of a Products row and the parts that reconcile them.

    Waiting is counted on open order lines (DESIGN.md): a line BigCommerce backordered waits for
    its `quantity_backordered` less what receipts allocated to it; an older line (no such
    field: placed before the store counted backorders, or a pre-order) waits for its unshipped
    units beyond the stock on hand. So waiting = waiting_backordered + waiting_older, and
    backordered (BigCommerce's own count) = waiting_backordered + backordered_elsewhere.
    """

    on_hand: int
    backordered: int | None  # BigCommerce's qty_backordered; None: not native
    waiting_backordered: int
    waiting_older: int
    older_unshipped: int  # unshipped units on older lines (waiting or covered by stock)

    @property
    def waiting(self) -> int:
        return self.waiting_backordered + self.waiting_older

    @property
    def older_covered(self) -> int:
        return max(0, self.older_unshipped - self.waiting_older)

    @property
    def backordered_elsewhere(self) -> int | None:
        """Backordered units no open line waits for (allocated from a delivery BigCommerce has
        not counted yet, or on orders no longer open); negative: lines wait beyond its count."""
        if self.backordered is None:
            return None
        return self.backordered - self.waiting_backordered

    def explain(self) -> str:
        lines = [f"On hand {self.on_hand}: units in stock at BigCommerce, all locations."]
        if self.backordered is not None:
            lines.append(
                f"Backordered {self.backordered}: units BigCommerce sold past zero stock and "
                "still owes to customers."
            )
        parts = []
        if self.waiting_backordered or self.backordered is not None:
            parts.append(f"{self.waiting_backordered} on backordered order lines")
        if self.waiting_older or self.older_unshipped:
            parts.append(
                f"{self.waiting_older} on older orders ({self.older_unshipped} unshipped, "
                f"{self.older_covered} of them covered by stock on hand or a delivery)"
            )
        lines.append(f"Waiting {self.waiting} = " + " + ".join(parts or ["0"]) + ".")
        extra = self.backordered_elsewhere
        if extra:
            if extra > 0:
                lines.append(
                    f"{extra} backordered units wait on no open order line: allocated from a "
                    "delivery BigCommerce has not counted yet, or on orders no longer open."
                )
            else:
                lines.append(
                    f"{-extra} units wait on backordered lines beyond BigCommerce's count "
                    "(a sync will bring its latest figure)."
                )
        return "\n".join(lines)
