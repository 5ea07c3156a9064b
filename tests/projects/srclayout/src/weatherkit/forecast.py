"""Fetching forecasts from a station's feed and summarising them."""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from weatherkit.stations import Station
from weatherkit.units import wind_chill

Fetcher = Callable[[str], Awaitable[Sequence[dict]]]


@dataclass
class Forecast:
    station: Station
    hours: list[dict]

    @property
    def temperatures(self) -> list[float]:
        return [h["temp_c"] for h in self.hours if h.get("temp_c") is not None]

    def summary(self) -> dict[str, float]:
        temps = self.temperatures
        if not temps:
            raise ValueError(f"no temperatures for {self.station.code}")
        return {
            "min": min(temps),
            "max": max(temps),
            "mean": round(statistics.fmean(temps), 1),
            "feels_like_min": min(wind_chill(h["temp_c"], h.get("wind_kmh", 0)) for h in self.hours if "temp_c" in h),
        }


async def fetch_forecast(fetch: Fetcher, station: Station, *, retries: int = 2) -> Forecast:
    """Fetch a station's hourly forecast, retrying on timeouts."""
    for attempt in range(retries + 1):
        try:
            hours = await asyncio.wait_for(fetch(station.code), timeout=10)
            return Forecast(station, list(hours))
        except asyncio.TimeoutError:
            if attempt == retries:
                raise
            await asyncio.sleep(0.01 * 2**attempt)
    raise AssertionError("unreachable")


async def fetch_all(fetch: Fetcher, stations: Sequence[Station]) -> dict[str, Forecast]:
    results = await asyncio.gather(*(fetch_forecast(fetch, s) for s in stations), return_exceptions=True)
    return {s.code: r for s, r in zip(stations, results) if isinstance(r, Forecast)}


if __name__ == "__main__":

    async def _demo_feed(code: str) -> list[dict]:
        return [{"temp_c": 3.5, "wind_kmh": 20}, {"temp_c": -1.0, "wind_kmh": 35}]

    demo = asyncio.run(fetch_forecast(_demo_feed, Station("DEMO", "Demo", 0.0, 0.0)))
    print(demo.summary())
