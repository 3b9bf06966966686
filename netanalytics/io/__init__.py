"""Readers: one module per source. Each returns canonical frames (see ``netanalytics.schema``)
and a :class:`LoadReport`."""

from netanalytics.io.report import FileReport, LoadReport

__all__ = ["FileReport", "LoadReport"]
# Readers register below, one import line and one __all__ line per module.
