"""Exporting carts and inventories as delimited text."""

from __future__ import annotations

import os
from decimal import Decimal
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from shop.cart import Cart
from shop.inventory import Inventory
from shop.io.formats import ExportFormat, detect_format, serialize
from shop.util import chunked, retry, slugify


class CsvExporter:
    """Writes rows with a header line, `delimiter`-separated."""

    def __init__(self, delimiter: str = ",", *, header: bool = True, decimal_comma: bool = False) -> None:
        if len(delimiter) != 1:
            raise ValueError("delimiter must be a single character")
        if decimal_comma and delimiter == ",":
            raise ValueError("a decimal comma needs another delimiter")
        self.delimiter = delimiter
        self.header = header
        self.decimal_comma = decimal_comma

    def _cell(self, value: object) -> str:
        text = str(value)
        if self.decimal_comma:
            text = text.replace(".", ",")
        if self.delimiter in text or '"' in text or "\n" in text:
            text = '"' + text.replace('"', '""') + '"'
        return text

    def _line(self, values: Iterable[object]) -> str:
        return self.delimiter.join(self._cell(v) for v in values) + "\n"

    def export_cart(self, cart: Cart, stream: TextIO) -> int:
        """Write one line per cart line; returns the lines written."""
        written = 0
        if self.header:
            stream.write(self._line(["sku", "qty", "unit_price", "subtotal"]))
        for line in cart:
            stream.write(self._line([line.sku, line.qty, line.unit_price, line.subtotal]))
            written += 1
        return written

    def export_inventory(self, inventory: Inventory, stream: TextIO, *, only_low: bool = False) -> int:
        rows = inventory.low_stock() if only_low else ((sku, inventory.available(sku)) for sku in inventory._stock)
        written = 0
        if self.header:
            stream.write(self._line(["sku", "available"]))
        for sku, left in rows:
            stream.write(self._line([sku, left]))
            written += 1
        return written

    def read_cart(self, stream: TextIO) -> Cart:
        """Read back what `export_cart` wrote (with a header line)."""
        lines = stream.read().splitlines()
        if not lines:
            raise ValueError("empty cart export")
        header = lines[0].split(self.delimiter)
        if header[:3] != ["sku", "qty", "unit_price"]:
            raise ValueError(f"unexpected header {header!r}")
        cart = Cart()
        for number, text in enumerate(lines[1:], start=2):
            sku, qty, price, *_ = text.split(self.delimiter)
            if self.decimal_comma:
                price = price.replace(",", ".")
            try:
                cart.add(sku, Decimal(price), int(qty))
            except (ArithmeticError, ValueError) as error:
                raise ValueError(f"line {number}: {error}") from error
        return cart


@retry(times=3, exceptions=(PermissionError,))
def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_report(carts: Iterable[Cart], directory: Path, fmt: str = "csv", *, per_file: int = 100) -> list[Path]:
    """Write the carts' lines into numbered files of at most `per_file` rows each."""
    if per_file <= 0:
        raise ValueError("per_file must be positive")
    kind = detect_format(f"report.{fmt}")
    rows = [
        {"cart": number, "sku": line.sku, "qty": line.qty, "subtotal": line.subtotal}
        for number, cart in enumerate(carts, start=1)
        for line in cart
    ]
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for number, chunk in enumerate(chunked(rows, per_file), start=1):
        name = f"{slugify('cart report')}-{number:03d}.{kind.value}"
        path = directory / name
        if kind in (ExportFormat.CSV, ExportFormat.TSV):
            _write_atomically(path, serialize(chunk, kind.value))
        else:
            _write_atomically(path, serialize(chunk, kind.value, indent=2))
        written.append(path)
    return written
