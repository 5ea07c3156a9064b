"""Prices and discounts. Größen und Maße in Euro (€)."""

import functools

WÄHRUNG = "€"
GRUSS = "Grüße 👋 aus der Kasse"


def größe(breite, höhe):
    """Area of a shelf in cm², for pricing by space."""
    if breite < 0 or höhe < 0:
        raise ValueError("négatif: Maße müssen positiv sein")
    return breite * höhe


def rabatt(preis, prozent):
    if prozent <= 0:
        return preis
    if prozent >= 100:
        return 0
    return round(preis * (100 - prozent) / 100, 2)


# 😀 Emoji in a comment just before a def, and in a default on the def line.
def grüßen(name="😀 Kunde", laut=False):
    text = f"Hallo {name}!"
    if laut:
        text = text.upper()
    return text


def protokolliert(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        ergebnis = fn(*args, **kwargs)
        return ergebnis

    return wrapper


@protokolliert
def steuer(betrag, satz=0.19):
    return round(betrag * satz, 2)


def runden(betrag, auf_cent=True):
    if auf_cent:
        betrag = round(betrag, 2)
    return betrag


def nie_getestet(werte):
    summe = 0
    for w in werte:
        summe += w
    return summe


class Straße:
    """A delivery street with a non-ASCII name."""

    def __init__(self, name, hausnummern):
        self.name = name
        self.hausnummern = list(hausnummern)

    def länge(self):
        return len(self.hausnummern)

    def gerade_häuser(self):
        return [n for n in self.hausnummern if n % 2 == 0]

    def beschreibung(self):
        if not self.hausnummern:
            return f"{self.name} (leer)"
        erste, letzte = self.hausnummern[0], self.hausnummern[-1]
        return f"{self.name} {erste}–{letzte}"


class Warenkorb:
    def __init__(self):
        self.posten = []

    def hinzufügen(self, artikel, preis, menge=1):
        if menge <= 0:
            raise ValueError("menge must be positive")
        self.posten.append((artikel, preis, menge))

    def summe(self):
        total = 0
        for _, preis, menge in self.posten:
            total += preis * menge
        return total

    def leeren(self):
        self.posten.clear()
