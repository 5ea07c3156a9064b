"""The registry of weather stations and geographic look-ups."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

EARTH_RADIUS_KM = 6371.0


class UnknownStation(KeyError):
    pass


@dataclass(frozen=True, slots=True)
class Station:
    code: str
    name: str
    lat: float
    lon: float
    elevation_m: float = 0.0

    def __post_init__(self) -> None:
        if not -90 <= self.lat <= 90:
            raise ValueError(f"{self.code}: latitude {self.lat} out of range")
        if not -180 <= self.lon <= 180:
            raise ValueError(f"{self.code}: longitude {self.lon} out of range")


class StationRegistry:
    """Stations by code, with nearest-station queries."""

    def __init__(self, stations: Iterable[Station] = ()) -> None:
        self._by_code = {s.code: s for s in stations}

    @classmethod
    def from_csv(cls, text: str) -> StationRegistry:
        rows = csv.DictReader(io.StringIO(text))
        return cls(
            Station(r["code"], r["name"], float(r["lat"]), float(r["lon"]), float(r.get("elevation") or 0))
            for r in rows
        )

    def __len__(self) -> int:
        return len(self._by_code)

    def __getitem__(self, code: str) -> Station:
        try:
            return self._by_code[code.upper()]
        except KeyError:
            raise UnknownStation(code) from None

    @cached_property
    def highest(self) -> Station | None:
        return max(self._by_code.values(), key=lambda s: s.elevation_m, default=None)

    def nearest(self, lat: float, lon: float, *, limit: int = 3) -> list[tuple[Station, float]]:
        """The `limit` stations closest to (lat, lon), with distances in km."""

        def haversine(station: Station) -> float:
            p1, p2 = math.radians(lat), math.radians(station.lat)
            dp = p2 - p1
            dl = math.radians(station.lon - lon)
            h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
            return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))

        if limit < 1:
            raise ValueError("limit must be at least 1")
        ranked = sorted(((s, haversine(s)) for s in self._by_code.values()), key=lambda pair: pair[1])
        return ranked[:limit]

    def within(self, lat: float, lon: float, radius_km: float) -> Iterator[Station]:
        for station, distance in self.nearest(lat, lon, limit=len(self) or 1):
            if distance > radius_km:
                break
            yield station

    def merge(self, *others: StationRegistry, prefer_existing: bool = True) -> StationRegistry:
        merged = dict(self._by_code)
        for other in others:
            for code, station in other._by_code.items():
                if code in merged and prefer_existing:
                    continue
                merged[code] = station
        return StationRegistry(merged.values())
