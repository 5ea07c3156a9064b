"""weatherkit: stations, units and forecasts."""

from weatherkit.stations import Station, StationRegistry
from weatherkit.units import convert_temperature, wind_chill

__all__ = ["Station", "StationRegistry", "convert_temperature", "wind_chill"]
__version__ = "1.4.0"
