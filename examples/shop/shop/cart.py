"""The shopping cart and its line items."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from shop.pricing import Currency, bulk_discount, price_with_tax, round_money

MAX_QTY_PER_LINE = 500


@dataclass(frozen=True)
class LineItem:
    """One product in the cart, `qty` times at `unit_price`."""

    sku: str
    unit_price: Decimal
    qty: int = 1
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.qty <= 0:
            raise ValueError(f"qty must be positive, got {self.qty}")
        if self.qty > MAX_QTY_PER_LINE:
            raise ValueError(f"at most {MAX_QTY_PER_LINE} units per line")
        if self.unit_price < 0:
            raise ValueError("unit_price must not be negative")

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.qty - bulk_discount(self.qty, self.unit_price)


class Cart:
    """Line items keyed by SKU; adding a SKU twice merges the lines."""

    def __init__(self, currency: Currency = Currency.EUR) -> None:
        self.currency = currency
        self._lines: dict[str, LineItem] = {}

    @classmethod
    def from_items(cls, items: Iterable[LineItem], currency: Currency = Currency.EUR) -> Cart:
        cart = cls(currency)
        for item in items:
            cart.add(item.sku, item.unit_price, item.qty)
        return cart

    def __len__(self) -> int:
        return sum(line.qty for line in self._lines.values())

    def __iter__(self) -> Iterator[LineItem]:
        yield from sorted(self._lines.values(), key=lambda line: line.sku)

    def __contains__(self, sku: object) -> bool:
        return sku in self._lines

    def add(self, sku: str, unit_price: Decimal, qty: int = 1) -> LineItem:
        """Add `qty` units of `sku`; the price of an existing line wins."""
        if not sku:
            raise ValueError("sku must not be empty")
        existing = self._lines.get(sku)
        line = self._merge(existing, LineItem(sku, unit_price, qty))
        self._lines[sku] = line
        return line

    def remove(self, sku: str, qty: int | None = None) -> None:
        """Remove `qty` units of `sku`, or the whole line when qty is None."""
        if sku not in self._lines:
            raise KeyError(sku)
        line = self._lines[sku]
        if qty is None or qty >= line.qty:
            del self._lines[sku]
        else:
            self._lines[sku] = LineItem(sku, line.unit_price, line.qty - qty, line.tags)

    @staticmethod
    def _merge(existing: LineItem | None, new: LineItem) -> LineItem:
        if existing is None:
            return new
        return LineItem(existing.sku, existing.unit_price, existing.qty + new.qty, existing.tags)

    @property
    def total(self) -> Decimal:
        return round_money(sum((line.subtotal for line in self._lines.values()), Decimal(0)))

    def total_with_tax(self, region: str) -> Decimal:
        return price_with_tax(self.total, region)

    def items_over(self, price: Decimal) -> list[str]:
        return [line.sku for line in self if line.unit_price > price]

    def clear(self) -> None:
        self._lines.clear()

    def summary(self) -> str:
        if not self._lines:
            return "empty cart"
        symbol = self.currency.symbol
        return f"{len(self)} items, {symbol}{self.total}"
