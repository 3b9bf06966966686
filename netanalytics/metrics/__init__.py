"""Metrics: pure functions from a Network (or frames) to tidy frames, one module per family."""

__all__: list[str] = []
# Each metric module registers below: `from netanalytics.metrics.x import f` and `__all__ += ["f"]`.
