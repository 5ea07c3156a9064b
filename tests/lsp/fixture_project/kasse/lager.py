"""Stock keeping: fully covered by the tests."""


def verfügbar(bestand, bestellt):
    return max(bestand - bestellt, 0)


def nachbestellen(bestand, minimum=5):
    return bestand < minimum
