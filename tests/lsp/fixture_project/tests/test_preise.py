import pytest

from kasse.preise import Straße, Warenkorb, größe, grüßen, rabatt, runden, steuer


def test_größe():
    assert größe(2, 3) == 6


def test_rabatt_halbe():
    assert rabatt(10.0, 50) == 5.0


def test_rabatt_ohne():
    assert rabatt(10.0, 0) == 10.0


def test_grüßen():
    assert grüßen("Ana") == "Hallo Ana!"


def test_steuer():
    assert steuer(100) == 19.0


def test_runden():
    assert runden(1.234) == 1.23


def test_straße():
    s = Straße("Hauptstraße", [1, 2, 3, 4])
    assert s.länge() == 4
    assert s.beschreibung() == "Hauptstraße 1–4"


def test_warenkorb():
    korb = Warenkorb()
    korb.hinzufügen("Brot", 2.5, 2)
    korb.hinzufügen("Milch", 1.0)
    assert korb.summe() == 6.0
    with pytest.raises(ValueError):
        korb.hinzufügen("Luft", 1.0, 0)
