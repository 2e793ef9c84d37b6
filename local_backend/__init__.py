"""A local stand-in for the ColliderML backend.

It serves the same HTTP contract as the public backend (see the project's
backend contract) from a SQLite file, with synthetic truth for the tasks
that need it, so the dashboard can be developed and tested offline.
"""
