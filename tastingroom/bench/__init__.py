"""`tastingroom bench`: the speed and memory targets, measured against baselines."""
