"""Text sparklines for the terminal; nothing imports this module yet."""

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values, *, width=None):
    if not values:
        return ""
    if width is not None and width < len(values):
        step = len(values) / width
        values = [values[int(i * step)] for i in range(width)]
    low, high = min(values), max(values)
    span = (high - low) or 1
    return "".join(BARS[int((v - low) / span * (len(BARS) - 1))] for v in values)
