"""Start-up: the lock screen comes first and takes a PIN while the engine loads behind it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tastingroom.people.staff import list_staff
from tastingroom.settings import load_settings
from tastingroom.store.database import Database
from tastingroom.store.first_look import first_look
from ui.app import RegisterFrame, application


@pytest.fixture
def demo_path(tmp_path: Path, demo_template: Path) -> Path:
    path = tmp_path / "tastingroom.sqlite3"
    shutil.copy(demo_template, path)
    return path


def test_first_look_names_the_staff_as_the_engine_does(demo_path: Path):
    look = first_look(demo_path)
    db = Database.open(demo_path)
    try:
        assert look is not None
        assert list(look.staff) == [(m.id, m.name) for m in list_staff(db)]
        with db.read() as s:
            assert look.store_name == load_settings(s).store_name
    finally:
        db.close()


def test_first_look_gives_up_quietly_on_a_missing_or_damaged_file(tmp_path: Path):
    assert first_look(tmp_path / "nothing.sqlite3") is None
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    assert first_look(junk) is None


def test_the_lock_screen_shows_before_sqlalchemy_is_imported(demo_path: Path):
    """In a fresh interpreter: the window is up and the engine's imports have not run."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ui.app import RegisterFrame, application\n"
        "app = application(); frame = RegisterFrame(Path(sys.argv[1])); frame.show()\n"
        "app.processEvents()\n"
        "names = sorted(b.text() for b in frame.lock_screen.buttons.values())\n"
        "print('sqlalchemy' in sys.modules, names)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(demo_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert out.strip() == "False ['Alex Rivera', 'Morgan Lee', 'Sam Okafor']"


def test_a_pin_typed_while_the_engine_loads_signs_in_once_it_is_ready(qtbot, demo_path: Path):
    application()
    frame = RegisterFrame(demo_path)
    qtbot.addWidget(frame)
    frame.show()
    lock = frame.lock_screen
    qtbot.mouseClick(lock.button_for("Alex Rivera"), Qt.MouseButton.LeftButton)
    for digit in "1111":
        qtbot.mouseClick(lock.pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(lock.pad.keys["OK"], Qt.MouseButton.LeftButton)
    assert frame.main is None
    assert "Starting the register" in lock.pad.message.text()

    with qtbot.waitSignal(frame.sig_loaded, timeout=30_000):
        frame.start_loading()
    main = frame.main
    assert main is not None
    assert main.staff is not None and main.staff.name == "Alex Rivera"
    assert main.pages.currentIndex() == 1
    assert frame.windowTitle() == "Tastingroom — Vallée Lune Winery"
    frame.close()


def test_a_wrong_pin_typed_while_loading_is_refused_once_loaded(qtbot, demo_path: Path):
    application()
    frame = RegisterFrame(demo_path)
    qtbot.addWidget(frame)
    frame.show()
    lock = frame.lock_screen
    qtbot.mouseClick(lock.button_for("Alex Rivera"), Qt.MouseButton.LeftButton)
    for key in ("9", "9", "9", "9", "OK"):
        qtbot.mouseClick(lock.pad.keys[key], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(frame.sig_loaded, timeout=30_000):
        frame.start_loading()
    assert frame.main is not None and frame.main.staff is None
    assert "Wrong PIN" in lock.pad.message.text()
    frame.close()


def test_a_damaged_database_is_explained_on_the_lock_screen(qtbot, tmp_path: Path):
    junk = tmp_path / "tastingroom.sqlite3"
    junk.write_bytes(b"this is not a database" * 1000)
    application()
    frame = RegisterFrame(junk)
    qtbot.addWidget(frame)
    frame.show()
    with qtbot.waitSignal(frame.loader.sig_failed, timeout=30_000):
        frame.start_loading()
    assert frame.failed
    assert lock_message(frame).startswith("The register's database")
    assert not frame.lock_screen.pad.isEnabled()
    assert junk.read_bytes() == b"this is not a database" * 1000  # nothing was changed
    frame.close()


def lock_message(frame: RegisterFrame) -> str:
    return frame.lock_screen.pad.message.text()


def test_a_live_store_without_staff_says_how_to_add_the_owner(qtbot, tmp_path: Path):
    from tastingroom.settings import save_settings

    path = tmp_path / "tastingroom.sqlite3"
    db = Database.open(path)
    with db.write() as s:
        save_settings(s, demo_mode=False)
    db.close()
    application()
    frame = RegisterFrame(path)
    qtbot.addWidget(frame)
    frame.show()
    with qtbot.waitSignal(frame.sig_loaded, timeout=30_000):
        frame.start_loading()
    assert "tastingroom staff add" in frame.lock_screen.prompt.text()
    assert not frame.lock_screen.buttons
    assert len(frame.main.register.catalog) == 0  # no demo seeded into a live store
    frame.close()


def test_the_signed_in_register_has_not_loaded_the_reports_until_they_are_opened(qtbot, signed_in):
    """The day report's charts and PDF code load on first use, never at start-up."""
    code = "import sys, ui.main_window; print(any(m.startswith('ui.reports') for m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.stdout.strip() == "False", loaded.stderr
    window = signed_in
    assert window.reports is None
    qtbot.mouseClick(window.nav["Reports"], Qt.MouseButton.LeftButton)
    assert window.reports is not None and window.showing("Reports")
