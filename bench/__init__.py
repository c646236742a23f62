"""Benchmarks: ratios against a baseline on the same machine, not absolute timings."""
