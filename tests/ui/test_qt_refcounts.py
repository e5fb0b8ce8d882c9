"""Qt calls must not wear away Python's `None`.

PySide6 6.12.0 on Python 3.11 returns `None` from every void method (`setText`,
`repaint`, `update`, ...) without taking a reference to it: each call takes one of
`None`'s away, and once they run out the interpreter aborts ("Fatal Python error:
none_dealloc"). A register makes thousands of such calls an hour; on the bench it died
within a minute of scanning, and a fresh interpreter dies after a few thousand calls. On
Python 3.12 and later `None` is immortal and nothing shows. pyproject.toml keeps PySide6
below 6.12 for this; this test fails on any version that brings the fault back.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_void_qt_calls_leave_nones_reference_count_alone(qtbot):
    from PySide6.QtWidgets import QLabel

    label = QLabel("x")
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2_000):
        label.setText("y")
        label.update()
    assert sys.getrefcount(None) - before > -100


def test_a_fresh_interpreter_survives_a_day_of_qt_calls():
    """What a register does all day, compressed: 200,000 void calls in a fresh process,
    where `None` has only a few thousand references to lose."""
    code = textwrap.dedent(
        """
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication, QLabel
        app = QApplication([])
        label = QLabel("x")
        for _ in range(200_000):
            label.setText("y")
        print("alive")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "alive", done.stderr[-500:]
