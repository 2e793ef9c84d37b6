"""Benchmarks: `make bench` runs every module here but fixtures; each prints its own figures."""
