from decimal import Decimal

import pytest

from ledger.money import Money, parse_amount


@pytest.mark.parametrize(
    "text, expected",
    [
        ("EUR 1,200.50", Money(Decimal("1200.50"))),
        ("-12.5", Money(Decimal("-12.5"))),
        ("+ USD 3", Money(Decimal("3"), "USD")),
    ],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == expected


def test_parse_amount_rejects_words():
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount("twelve")


def test_arithmetic_and_ordering():
    a, b = Money(Decimal("10")), Money(Decimal("2.5"))
    assert a - b == Money(Decimal("7.5"))
    assert b < a
    assert str(a) == "EUR 10.00"


def test_mixing_currencies_fails():
    with pytest.raises(ValueError, match="mismatch"):
        Money(Decimal(1)) + Money(Decimal(1), "USD")
