"""Selling: the cart, its prices and tenders, age checks, the sale commit, and refunds."""
