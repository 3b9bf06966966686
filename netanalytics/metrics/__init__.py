"""Metrics: pure functions from a Network (or frames) to tidy frames, one module per family."""

__all__: list[str] = []
# Each metric module registers below: `from netanalytics.metrics.x import f` and `__all__ += ["f"]`.
from netanalytics.metrics.dormancy import dormancy, reconnect

__all__ += ["dormancy", "reconnect"]
from netanalytics.metrics.latency import reply_latencies  # noqa: E402

__all__ += ["reply_latencies"]
from netanalytics.metrics.health import HealthReport, health, health_history  # noqa: E402
from netanalytics.metrics.reciprocity import give_take_ratio, overall_reciprocity, reciprocity  # noqa: E402
from netanalytics.metrics.strength import tie_strength  # noqa: E402
from netanalytics.metrics.structure import blau, ego_structure, gini, graph_summary, normalized_entropy  # noqa: E402

__all__ += ["tie_strength", "reciprocity", "overall_reciprocity", "give_take_ratio"]
__all__ += ["health", "health_history", "HealthReport"]
__all__ += ["gini", "blau", "normalized_entropy", "ego_structure", "graph_summary"]
