import pytest

from weatherkit import StationRegistry
from weatherkit.stations import UnknownStation

CSV = """code,name,lat,lon,elevation
ZRH,Zurich,47.46,8.55,432
GVA,Geneva,46.24,6.11,411
SMA,Saentis,47.25,9.34,2502
"""


@pytest.fixture
def registry():
    return StationRegistry.from_csv(CSV)


def test_lookup_is_case_insensitive(registry):
    assert registry["zrh"].name == "Zurich"
    with pytest.raises(UnknownStation):
        registry["XXX"]


def test_nearest(registry):
    (first, distance), *_ = registry.nearest(47.4, 8.5, limit=1)
    assert first.code == "ZRH"
    assert distance < 10
