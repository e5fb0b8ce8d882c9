"""The cash drawer's screens: open with a counted float, the day's movements, X and Z."""
