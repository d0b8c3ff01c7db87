"""Shared vocabulary of top100: configuration, metric names, record shapes, paths, errors.

Every package of the project may import this one; it imports none of them.
"""

__version__ = "0.1.0"
