"""Benchmarks of Backorder Desktop: `python -m benchmarks.run` (figures in docs/BENCHMARKS.md)."""
