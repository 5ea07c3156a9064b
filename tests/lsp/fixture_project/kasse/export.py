"""CSV export of receipts. No test imports this module yet."""

import csv
import io


def als_csv(posten):
    puffer = io.StringIO()
    schreiber = csv.writer(puffer)
    schreiber.writerow(["artikel", "preis", "menge"])
    for artikel, preis, menge in posten:
        schreiber.writerow([artikel, f"{preis:.2f}", menge])
    return puffer.getvalue()


def dateiname(laden, datum):
    sicher = "".join(c if c.isalnum() else "_" for c in laden)
    return f"{sicher}-{datum}.csv"
