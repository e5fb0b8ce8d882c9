"""The day report and its exports (`day`, `exports`).

Nothing here is imported when the register starts: the report screen imports it when a
manager opens the report, so a year of history never costs the start-up anything.
"""
