"""Fulfilment: web orders handed over at the counter (pickups)."""
