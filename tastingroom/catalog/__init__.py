"""The catalog: what the register can sell, how it is found, and the favourites it offers."""
