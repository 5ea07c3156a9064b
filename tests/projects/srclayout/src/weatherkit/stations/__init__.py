from weatherkit.stations.registry import Station, StationRegistry, UnknownStation

__all__ = ["Station", "StationRegistry", "UnknownStation"]
