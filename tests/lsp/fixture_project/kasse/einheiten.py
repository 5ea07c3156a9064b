"""Unit conversions. This file is kept with Windows (CRLF) line endings."""


def celsius_zu_fahrenheit(c):
    return c * 9 / 5 + 32


def fahrenheit_zu_celsius(f):
    if f < -459.67:
        raise ValueError("unter dem absoluten Nullpunkt")
    return (f - 32) * 5 / 9


def gramm_zu_unzen(gramm):
    unzen = gramm / 28.349523125
    return round(unzen, 3)
