"""Synthetic data: the generator of a realistic professional life, and the bundled sample.

The generators (``synthesize``, ``write_mbox``, ``write_namesake_mbox``: some 3,000 lines) are
imported on first use, so ``import netanalytics`` does not pay for them. Their modules are
private (``_synthesize``): a submodule named like the function would, once imported, replace
the function on this package."""

from netanalytics.datasets.sample import load_sample, sample_path

__all__ = ["synthesize", "write_mbox", "write_namesake_mbox", "load_sample", "sample_path"]


def __getattr__(name: str):
    if name == "synthesize":
        from netanalytics.datasets._synthesize import synthesize as value
    elif name == "write_mbox":
        from netanalytics.datasets._stream import write_mbox as value
    elif name == "write_namesake_mbox":
        from netanalytics.datasets._namesakes import write_namesake_mbox as value
    else:
        raise AttributeError(f"module 'netanalytics.datasets' has no attribute {name!r}")
    globals()[name] = value  # looked up once
    return value
