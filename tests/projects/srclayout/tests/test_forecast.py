import asyncio

from weatherkit import Station
from weatherkit.forecast import fetch_forecast


def test_fetch_forecast_summary():
    async def feed(code):
        return [{"temp_c": 4.0, "wind_kmh": 10}, {"temp_c": 8.0, "wind_kmh": 2}]

    forecast = asyncio.run(fetch_forecast(feed, Station("ZRH", "Zurich", 47.46, 8.55)))
    assert forecast.summary()["mean"] == 6.0
