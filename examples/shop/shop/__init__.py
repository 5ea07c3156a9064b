"""A small shop domain: carts, prices, stock levels and exports.

The package is the example project bundled with testgap. Its tests cover
some modules well and others hardly at all, so an audit has something to say.
"""

from shop.cart import Cart, LineItem
from shop.inventory import Inventory, OutOfStock
from shop.pricing import Currency, bulk_discount, price_with_tax

__all__ = [
    "Cart",
    "Currency",
    "Inventory",
    "LineItem",
    "OutOfStock",
    "bulk_discount",
    "price_with_tax",
]

__version__ = "0.3.1"
