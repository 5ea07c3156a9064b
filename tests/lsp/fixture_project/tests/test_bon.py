from kasse.bon import Bon, zeile


def test_zeile():
    assert zeile("Brot", 2.5).endswith("2.50 €")


def test_bon_text():
    bon = Bon("Eckladen")
    bon.add("Brot", 2.5)
    assert "Eckladen" in bon.text()
