"""Benchmarks: each prints measured ratios; none is a test and none asserts a time."""
