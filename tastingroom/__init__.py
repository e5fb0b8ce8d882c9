"""Tastingroom's engine: money, catalog, pricing, sales, age checks, staff, store and sync.

Nothing in this package imports Qt; the register (`ui`) is a shell over it.
"""

__version__ = "0.1.0"
