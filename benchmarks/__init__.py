"""Benchmarks: each prints its figures side by side; none asserts."""
