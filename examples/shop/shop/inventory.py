"""Stock levels, reservations and restocking from suppliers."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Iterator
from typing import Any, Protocol

log = logging.getLogger(__name__)


class OutOfStock(Exception):
    """Raised when a reservation asks for more than is on the shelf."""

    def __init__(self, sku: str, requested: int, available: int) -> None:
        super().__init__(f"{sku}: requested {requested}, only {available} left")
        self.sku = sku
        self.requested = requested
        self.available = available


class Supplier(Protocol):
    async def fetch(self, sku: str, qty: int) -> int: ...


def logged(func: Callable[..., Any]) -> Callable[..., Any]:
    """Log each call of a stock-changing method."""

    @functools.wraps(func)
    def wrapper(self: Inventory, *args: Any, **kwargs: Any) -> Any:
        log.debug("%s%r", func.__name__, args)
        return func(self, *args, **kwargs)

    return wrapper


class Inventory:
    def __init__(self, stock: dict[str, int] | None = None) -> None:
        self._stock: dict[str, int] = dict(stock or {})
        self._reserved: dict[str, int] = {}

    def available(self, sku: str) -> int:
        return self._stock.get(sku, 0) - self._reserved.get(sku, 0)

    @logged
    def receive(self, sku: str, qty: int) -> None:
        if qty <= 0:
            raise ValueError("qty must be positive")
        self._stock[sku] = self._stock.get(sku, 0) + qty

    @logged
    def reserve(self, sku: str, qty: int) -> None:
        left = self.available(sku)
        if qty > left:
            raise OutOfStock(sku, qty, left)
        self._reserved[sku] = self._reserved.get(sku, 0) + qty

    @logged
    def release(self, sku: str, qty: int) -> None:
        held = self._reserved.get(sku, 0)
        if qty > held:
            raise ValueError(f"only {held} units of {sku} are reserved")
        if qty == held:
            del self._reserved[sku]
        else:
            self._reserved[sku] = held - qty

    def low_stock(self, threshold: int = 5) -> Iterator[tuple[str, int]]:
        """Yield (sku, available) for every SKU at or below `threshold`."""
        for sku in sorted(self._stock):
            left = self.available(sku)
            if left <= threshold:
                yield sku, left

    async def restock(self, supplier: Supplier, *, target: int = 20, timeout: float = 5.0) -> dict[str, int]:
        """Order every low SKU back up to `target` units, concurrently."""
        if target <= 0:
            raise ValueError("target must be positive")

        async def order(sku: str, missing: int) -> tuple[str, int]:
            delivered = await asyncio.wait_for(supplier.fetch(sku, missing), timeout)
            if delivered < 0:
                raise ValueError(f"supplier delivered {delivered} units of {sku}")
            return sku, delivered

        orders = [order(sku, target - left) for sku, left in self.low_stock(target - 1)]
        delivered = dict(await asyncio.gather(*orders))
        for sku, qty in delivered.items():
            if qty:
                self.receive(sku, qty)
        return delivered

    def report(self) -> list[str]:
        def describe(sku: str) -> str:
            reserved = self._reserved.get(sku, 0)
            note = f" ({reserved} reserved)" if reserved else ""
            return f"{sku}: {self.available(sku)}{note}"

        return [describe(sku) for sku in sorted(self._stock)]
