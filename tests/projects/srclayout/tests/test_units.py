import math

import pytest

from weatherkit.units import convert_speed, convert_temperature, wind_chill


@pytest.mark.parametrize(
    "value, source, target, expected",
    [
        (100, "C", "F", 212),
        (32, "F", "C", 0),
        (0, "C", "K", 273.15),
    ],
)
def test_convert_temperature(value, source, target, expected):
    assert math.isclose(convert_temperature(value, source, target), expected)


def test_unknown_unit():
    with pytest.raises(ValueError, match="unknown temperature unit 'R'"):
        convert_temperature(1, "R", "C")


def test_convert_speed_default_units():
    assert math.isclose(convert_speed(10), 36)


def test_wind_chill_only_when_cold_and_windy():
    assert wind_chill(20, 30) == 20
    assert wind_chill(-5, 30) == -13.0
