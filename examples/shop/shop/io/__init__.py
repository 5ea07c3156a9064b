"""Writing carts and stock levels to files other systems read."""

from shop.io.csv_export import CsvExporter, write_report
from shop.io.formats import ExportFormat, detect_format, serialize

__all__ = ["CsvExporter", "ExportFormat", "detect_format", "serialize", "write_report"]
