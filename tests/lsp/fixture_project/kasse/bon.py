"""Receipt text. Indented with tabs, as the original author liked."""


def zeile(artikel, preis, breite=30):
	preis_text = f"{preis:.2f} €"
	if len(artikel) + len(preis_text) >= breite:
		artikel = artikel[: breite - len(preis_text) - 2] + "…"
	return artikel.ljust(breite - len(preis_text)) + preis_text


def kopf(laden):
	strich = "=" * 30
	return f"{strich}\n{laden.center(30)}\n{strich}"


class Bon:
	def __init__(self, laden):
		self.laden = laden
		self.zeilen = []

	def add(self, artikel, preis):
		self.zeilen.append(zeile(artikel, preis))

	def text(self):
		teile = [kopf(self.laden)]
		teile.extend(self.zeilen)
		return "\n".join(teile)

	def storno(self, index):
		if index < 0 or index >= len(self.zeilen):
			raise IndexError(index)
		del self.zeilen[index]
