"""Unit conversions for temperature, speed and pressure."""

from __future__ import annotations

import math

_SPEED_TO_MS = {
    "m/s": 1.0,
    "km/h": 1 / 3.6,
    "mph": 0.44704,
    "kn": 0.514444,
}


def convert_temperature(value: float, source: str, target: str) -> float:
    """Convert between "C", "F" and "K"."""
    match source.upper():
        case "C":
            celsius = value
        case "F":
            celsius = (value - 32) * 5 / 9
        case "K":
            if value < 0:
                raise ValueError("kelvin cannot be negative")
            celsius = value - 273.15
        case other:
            raise ValueError(f"unknown temperature unit {other!r}")
    match target.upper():
        case "C":
            return celsius
        case "F":
            return celsius * 9 / 5 + 32
        case "K":
            return celsius + 273.15
        case other:
            raise ValueError(f"unknown temperature unit {other!r}")


def convert_speed(value: float, source: str = "m/s", target: str = "km/h") -> float:
    try:
        return value * _SPEED_TO_MS[source] / _SPEED_TO_MS[target]
    except KeyError as error:
        raise ValueError(f"unknown speed unit {error.args[0]!r}") from None


def wind_chill(temp_c: float, wind_kmh: float) -> float:
    """The JAG/TI formula; defined only for cold, windy weather."""
    if temp_c > 10 or wind_kmh < 4.8:
        return temp_c
    v = wind_kmh**0.16
    return round(13.12 + 0.6215 * temp_c - 11.37 * v + 0.3965 * temp_c * v, 1)


def dew_point(temp_c: float, humidity: float) -> float:
    if not 0 < humidity <= 100:
        raise ValueError("humidity is a percentage in (0, 100]")
    a, b = 17.62, 243.12
    gamma = math.log(humidity / 100) + a * temp_c / (b + temp_c)
    return b * gamma / (a - gamma)


def pressure_to_sea_level(hpa: float, altitude_m: float, *, temp_c: float = 15.0) -> float:
    factor = 1 - 0.0065 * altitude_m / (temp_c + 0.0065 * altitude_m + 273.15)
    return hpa * factor**-5.257
