"""The day report's screen, charts and PDF: imported when the report is opened, never at
start-up (see `tastingroom.reports`)."""
