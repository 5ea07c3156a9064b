from decimal import Decimal

import pytest

from shop.pricing import Currency, apply_coupon, bulk_discount, price_with_tax


def test_price_with_tax_rounds_half_up():
    assert price_with_tax(Decimal("10.05"), "US") == Decimal("10.75")


@pytest.mark.parametrize("qty, expected", [(1, "0.00"), (10, "0.50"), (101, "15.15")])
def test_bulk_discount_bands(qty, expected):
    assert bulk_discount(qty, Decimal("1.00")) == Decimal(expected)


def test_currency_parse_accepts_symbols():
    assert Currency.parse(" € ") is Currency.EUR
    assert Currency.parse("usd") is Currency.USD


def test_welcome_coupon_on_first_order():
    assert apply_coupon(Decimal("50"), "welcome10", first_order=True) == Decimal("45.00")
