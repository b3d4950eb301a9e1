"""Benchmarks: synthetic cohorts of growing size, page timings and query counts."""
