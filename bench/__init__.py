"""Benchmarks: speed is measured here, with medians and ratios, never asserted in tests."""
