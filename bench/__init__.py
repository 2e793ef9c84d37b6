"""Benchmarks: `make bench` runs bench.render_time and bench.requests_per_view."""
