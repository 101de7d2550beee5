"""What a viewer is told about a variant's stock: the same words on the REST API's show detail
and in the room's live updates. Pure Python."""

from enum import StrEnum

LOW_STOCK = 5  # at or below this many units left, the badge says how many


class StockState(StrEnum):
    IN_STOCK = "in_stock"
    LOW = "low"  # "only 3 left"
    SOLD_OUT = "sold_out"


def stock_state(available: int) -> StockState:
    if available <= 0:
        return StockState.SOLD_OUT
    return StockState.LOW if available <= LOW_STOCK else StockState.IN_STOCK


def badge(available: int) -> str:
    match stock_state(available):
        case StockState.SOLD_OUT:
            return "Sold out"
        case StockState.LOW:
            return f"Only {available} left"
        case StockState.IN_STOCK:
            return "In stock"
