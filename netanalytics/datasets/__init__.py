"""Synthetic data: the generator of a realistic professional life, and the bundled sample."""

from netanalytics.datasets._namesakes import write_namesake_mbox
from netanalytics.datasets._stream import write_mbox
from netanalytics.datasets.sample import load_sample, sample_path
from netanalytics.datasets.synthesize import synthesize

__all__ = ["synthesize", "write_mbox", "write_namesake_mbox", "load_sample", "sample_path"]
