"""Exceptions raised by netanalytics; all derive from :class:`NetAnalyticsError`."""

__all__ = [
    "NetAnalyticsError",
    "FormatError",
    "SchemaError",
    "NotDefinedError",
]


class NetAnalyticsError(Exception):
    """Base class of every error netanalytics raises on purpose."""


class FormatError(NetAnalyticsError, ValueError):
    """An input file is not of the kind expected, or is damaged beyond reading.

    The message names the file, the place (line, member, message number) and the fix.
    """


class SchemaError(NetAnalyticsError, ValueError):
    """A frame lacks a canonical column or holds it with the wrong type."""


class NotDefinedError(NetAnalyticsError, ValueError):
    """A metric is undefined for the whole network given (for example, an empty one)."""
