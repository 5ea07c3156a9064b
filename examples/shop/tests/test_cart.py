from decimal import Decimal

import pytest

from shop import Cart, Currency, LineItem


def test_lines_merge_and_count(cart):
    cart.add("MUG-01", Decimal("9.99"), 1)
    assert len(cart) == 15
    mug = next(line for line in cart if line.sku == "MUG-01")
    assert mug.qty == 3
    assert mug.unit_price == Decimal("8.50")  # the first price wins


def test_total_includes_bulk_discount(cart):
    # 2 × 8.50 + 12 × 0.40 − 5% of 4.80
    assert cart.total == Decimal("21.56")


def test_total_with_tax(cart):
    assert cart.total_with_tax("EU") == Decimal("25.87")
    with pytest.raises(ValueError, match="no tax rate"):
        cart.total_with_tax("MARS")


def test_iteration_is_sorted_by_sku(cart):
    cart.add("ERASER", Decimal("1.00"))
    assert [line.sku for line in cart] == ["ERASER", "MUG-01", "PENCIL-HB"]


def test_remove_some_then_all(cart):
    cart.remove("PENCIL-HB", 2)
    assert len(cart) == 12
    cart.remove("PENCIL-HB")
    assert "PENCIL-HB" not in cart
    with pytest.raises(KeyError):
        cart.remove("PENCIL-HB")


def test_from_items_and_items_over():
    cart = Cart.from_items(
        [LineItem("A", Decimal("3")), LineItem("B", Decimal("30"), 2)],
        currency=Currency.USD,
    )
    assert cart.items_over(Decimal("10")) == ["B"]
    assert cart.summary() == "3 items, $63.00"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"qty": 0}, "qty must be positive"),
        ({"qty": 501}, "at most 500"),
        ({"unit_price": Decimal("-1")}, "must not be negative"),
    ],
)
def test_line_item_validation(kwargs, message):
    fields = {"sku": "X", "unit_price": Decimal("1"), "qty": 1} | kwargs
    with pytest.raises(ValueError, match=message):
        LineItem(**fields)


def test_empty_sku_is_refused(cart):
    with pytest.raises(ValueError):
        cart.add("", Decimal("1"))
