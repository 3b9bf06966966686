"""Synthetic data: the generator of a realistic professional life, and the bundled sample."""

__all__: list[str] = []
