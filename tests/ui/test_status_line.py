"""The status bar's first words before the first sync cycle has reported."""

from __future__ import annotations

from tastingroom.status import Status
from ui.main_window import status_line

FRESH = Status("db", "Store", "TK7M3", 0, 0, 0, None, None, None)


def test_a_register_with_no_login_says_winedirect_is_not_set_up():
    assert status_line(FRESH, "UTC").startswith("WineDirect not set up")


def test_a_register_whose_first_sync_is_running_says_connecting():
    """Right after the first-run assistant, the first sync is pulling while nothing has
    been pushed yet: "not set up" would contradict the banner counting what arrives."""
    assert status_line(FRESH, "UTC", syncing=True).startswith("Connecting…")
