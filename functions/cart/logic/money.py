"""Money as integer minor units inside, decimal strings ("49.90") on the wire."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> int:
    return int((amount / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


def price_text(cents: int) -> str:
    return str(to_decimal(cents))
