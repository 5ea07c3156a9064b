from kasse.einheiten import celsius_zu_fahrenheit, fahrenheit_zu_celsius


def test_celsius():
    assert celsius_zu_fahrenheit(100) == 212


def test_fahrenheit():
    assert fahrenheit_zu_celsius(212) == 100
