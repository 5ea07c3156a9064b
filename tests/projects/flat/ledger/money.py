"""Amounts of money in one currency, and parsing them from text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import total_ordering

_AMOUNT = re.compile(r"^(?P<sign>[-+])?\s*(?:(?P<currency>[A-Z]{3})\s*)?(?P<number>[\d,]*\.?\d+)$")


@total_ordering
@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"bad currency code: {self.currency!r}")

    @classmethod
    def zero(cls, currency: str = "EUR") -> Money:
        return cls(Decimal(0), currency)

    def _check(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._check(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return self + (-other)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._check(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def allocate(self, *ratios: int) -> list[Money]:
        """Split into parts proportional to `ratios`; the cents left go to the first parts."""
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise ValueError("ratios must be non-negative and not all zero")
        cents = int(self.amount * 100)
        total = sum(ratios)
        parts = [cents * r // total for r in ratios]
        for i in range(cents - sum(parts)):
            parts[i % len(parts)] += 1
        return [Money(Decimal(p) / 100, self.currency) for p in parts]

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:,.2f}"


def parse_amount(text: str, *, default_currency: str = "EUR") -> Money:
    """Parse `"EUR 1,200.50"`, `"-12.5"` or `"+ USD 3"`."""
    match = _AMOUNT.match(text.strip())
    if match is None:
        raise ValueError(f"not an amount: {text!r}")
    try:
        number = Decimal(match["number"].replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the regex admits only digits
        raise ValueError(f"not an amount: {text!r}") from error
    if match["sign"] == "-":
        number = -number
    return Money(number, match["currency"] or default_currency)
