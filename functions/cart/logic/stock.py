"""The stock counters' one invariant. Pure Python (the badges are in functions/common/stock)."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StockCounters:
    """A variant's counters. Every write moves units between them in one transaction."""

    stock: int  # every unit ever put on sale
    available: int
    reserved: int
    sold: int

    @property
    def balanced(self) -> bool:
        parts = (self.available, self.reserved, self.sold)
        return all(part >= 0 for part in parts) and sum(parts) == self.stock
