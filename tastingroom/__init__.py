"""Tastingroom's engine, grouped by subject: catalog, selling, drawer, people, store, sync.

Nothing in this package imports Qt; the register (`ui`) is a shell over it.
"""

__version__ = "0.1.0"
