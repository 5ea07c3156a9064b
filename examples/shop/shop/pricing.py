"""Prices: currencies, tax by region, volume discounts and coupon codes."""

from __future__ import annotations

import enum
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

CENT = Decimal("0.01")

TAX_RATES: dict[str, Decimal] = {
    "EU": Decimal("0.20"),
    "UK": Decimal("0.20"),
    "US": Decimal("0.07"),
    "CH": Decimal("0.081"),
}


class Currency(enum.Enum):
    """The currencies the shop sells in."""

    EUR = "EUR"
    USD = "USD"
    GBP = "GBP"

    @property
    def symbol(self) -> str:
        return {"EUR": "€", "USD": "$", "GBP": "£"}[self.value]

    @classmethod
    def parse(cls, code: str) -> Currency:
        """Accept `eur`, ` EUR ` and `€` alike."""
        cleaned = code.strip().upper()
        for currency in cls:
            if cleaned in (currency.value, currency.symbol):
                return currency
        raise ValueError(f"unknown currency: {code!r}")


def round_money(value: Decimal) -> Decimal:
    """Round half up to whole cents, as the invoices do."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def price_with_tax(amount: Decimal, region: str) -> Decimal:
    """Gross price of a net `amount` sold into `region`."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    try:
        rate = TAX_RATES[region]
    except KeyError:
        raise ValueError(f"no tax rate for region {region!r}") from None
    return round_money(amount * (1 + rate))


def bulk_discount(qty: int, unit_price: Decimal) -> Decimal:
    """The discount granted on `qty` units: 15% above 100 units, 5% from 10."""
    if qty <= 0:
        raise ValueError("qty must be positive")
    gross = unit_price * qty
    if qty > 100:
        return round_money(gross * Decimal("0.15"))
    elif qty >= 10:
        return round_money(gross * Decimal("0.05"))
    return Decimal("0.00")


def apply_coupon(total: Decimal, code: str, *, first_order: bool = False) -> Decimal:
    """The total after coupon `code`; unknown codes are refused."""
    match code.upper():
        case "WELCOME10" if first_order:
            return round_money(total * Decimal("0.90"))
        case "WELCOME10":
            raise ValueError("WELCOME10 is valid on a first order only")
        case "SUMMER":
            return max(Decimal("0.00"), total - Decimal("5.00"))
        case vip if vip.startswith("VIP-") and len(vip) == 8:
            return round_money(total * Decimal("0.80"))
        case _:
            raise ValueError(f"unknown coupon {code!r}")


def shipping_cost(weight_kg: float, country: str) -> Decimal:
    """Flat rates for the home markets, by weight band elsewhere."""
    if weight_kg <= 0:
        raise ValueError("weight must be positive")
    if country in ("EU", "US"):
        return Decimal("4.90") if weight_kg < 2 else Decimal("9.90")
    bands = [(1, "12.00"), (5, "25.00"), (20, "60.00")]
    for limit, price in bands:
        if weight_kg <= limit:
            return Decimal(price)
    raise ValueError(f"parcels over 20 kg cannot ship to {country}")


@lru_cache(maxsize=32)
def exchange_rate(source: Currency, target: Currency) -> Decimal:
    """A fixed table; the real shop would ask its bank."""
    if source is target:
        return Decimal(1)
    to_eur = {Currency.EUR: Decimal(1), Currency.USD: Decimal("0.92"), Currency.GBP: Decimal("1.17")}
    return to_eur[source] / to_eur[target]


def convert(amount: Decimal, source: Currency, target: Currency) -> Decimal:
    return round_money(amount * exchange_rate(source, target))
