"""Metrics: pure functions from a Network (or frames) to tidy frames, one module per family."""

from netanalytics.metrics.channels import channel_mix
from netanalytics.metrics.dormancy import DormancyModel, dormancy, reconnect
from netanalytics.metrics.health import HealthReport, health, health_history
from netanalytics.metrics.latency import reply_latencies
from netanalytics.metrics.reciprocity import give_take_ratio, overall_reciprocity, reciprocity
from netanalytics.metrics.strength import tie_strength
from netanalytics.metrics.structure import blau, ego_structure, gini, graph_summary, normalized_entropy

__all__ = [
    "tie_strength",
    "channel_mix",
    "dormancy",
    "DormancyModel",
    "reconnect",
    "reciprocity",
    "overall_reciprocity",
    "give_take_ratio",
    "reply_latencies",
    "health",
    "health_history",
    "HealthReport",
    "gini",
    "blau",
    "normalized_entropy",
    "ego_structure",
    "graph_summary",
]
