"""netanalytics: how healthy is your professional network, which ties are going dormant,
and where is the give-and-take out of balance — measured from files you already own."""

from netanalytics import datasets, io, schema
from netanalytics.exceptions import FormatError, NetAnalyticsError, NotDefinedError, SchemaError
from netanalytics.io.report import LoadReport
from netanalytics.loader import load
from netanalytics.metrics import *  # noqa: F403  (the metric functions are the public API)
from netanalytics.metrics import __all__ as _metrics_all
from netanalytics.network import EGO, Network

__version__ = "0.1.0"

__all__ = [
    "datasets",
    "io",
    "schema",
    "load",
    "Network",
    "EGO",
    "LoadReport",
    "NetAnalyticsError",
    "FormatError",
    "SchemaError",
    "NotDefinedError",
    *_metrics_all,
]
