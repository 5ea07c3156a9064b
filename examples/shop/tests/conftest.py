from decimal import Decimal

import pytest

from shop import Cart, Inventory


@pytest.fixture
def cart() -> Cart:
    """A cart with two lines: 2 mugs and 12 pencils."""
    cart = Cart()
    cart.add("MUG-01", Decimal("8.50"), 2)
    cart.add("PENCIL-HB", Decimal("0.40"), 12)
    return cart


@pytest.fixture
def inventory() -> Inventory:
    return Inventory({"MUG-01": 10, "PENCIL-HB": 3, "LAMP-7": 0})
