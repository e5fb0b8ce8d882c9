"""Keeping the cache in step with WineDirect: the outbox now; push, pulls and scheduler later."""
