import pytest

from shop.io import ExportFormat, detect_format


def test_detect_format_from_extension():
    assert detect_format("stock.TSV") is ExportFormat.TSV


def test_detect_format_needs_an_extension():
    with pytest.raises(ValueError):
        detect_format("README")
