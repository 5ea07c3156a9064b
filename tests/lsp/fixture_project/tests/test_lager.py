from kasse.lager import nachbestellen, verfügbar


def test_verfügbar():
    assert verfügbar(10, 3) == 7
    assert verfügbar(1, 3) == 0


def test_nachbestellen():
    assert nachbestellen(1)
    assert not nachbestellen(10)
