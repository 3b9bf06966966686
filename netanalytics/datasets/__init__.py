"""Synthetic data: the generator of a realistic professional life, and the bundled sample."""

from netanalytics.datasets._stream import write_mbox
from netanalytics.datasets.synthesize import synthesize

__all__: list[str] = ["synthesize", "write_mbox"]
from netanalytics.datasets.sample import load_sample, sample_path

__all__ += ["load_sample", "sample_path"]
