"""People: customers at the counter, and staff with their PINs and approvals."""
