"""Pictures of a first start for the README: the doors, each step of the assistant, and
the new store's lock screen with its first sync counting, against a simulated WineDirect
on 127.0.0.1 (`ui.screenshots.render` calls `render_first_run`).

Nothing is written outside a temporary folder: the login goes to the store's sync through
the environment for the length of the run, never to this computer's keyring.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QWidget

from tastingroom.paths import database_path
from tastingroom.store_setup import set_up_store
from tastingroom.winedirect.credentials import ENV_PASSWORD, ENV_USERNAME
from tastingroom.winedirect.simulator.server import DEMO_PASSWORD, DEMO_USERNAME, Simulator
from ui.first_run.launcher import FirstRunWindow, Launcher


def _until(done: Callable[[], bool], seconds: float = 60.0) -> None:
    app = QApplication.instance()
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def _save(widget: QWidget, target: Path) -> Path:
    # Widgets replaced by deleteLater go only when the event loop turns; there is none here.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.instance().processEvents()
    widget.grab().save(str(target))
    return target


def render_first_run(folder: Path) -> list[Path]:
    """first-run-*.png in `folder`; their paths."""
    shots: list[Path] = []
    saved_env = {name: os.environ.get(name) for name in (ENV_USERNAME, ENV_PASSWORD)}
    os.environ[ENV_USERNAME], os.environ[ENV_PASSWORD] = DEMO_USERNAME, DEMO_PASSWORD
    with tempfile.TemporaryDirectory(prefix="tastingroom-first-run-") as tmp, Simulator() as sim:
        sim.state.create_web_order(pickup=True)
        data = Path(tmp) / "Tastingroom"
        launcher = Launcher(database_path(data))
        try:
            launcher.start()
            window = launcher.window
            assert isinstance(window, FirstRunWindow)
            shots.append(_save(window, folder / "first-run-doors.png"))
            window.doors.demo_button.click()  # the training store, offering to set up
            _until(lambda: getattr(launcher.window, "main", None) is not None)
            _until(lambda: getattr(launcher.window.bridge.last_status, "online", None) is not None)
            shots.append(_save(launcher.window, folder / "first-run-training-store.png"))
            launcher.first_run(assistant=True)  # its "Set up my winery"
            window = launcher.window
            assert isinstance(window, FirstRunWindow)
            a = window.assistant

            def step(name: str) -> None:
                shots.append(_save(window, folder / f"first-run-{a.index + 1}-{name}.png"))
                a.next()

            a.store_name.setText("Cedar Ridge Tasting Room")
            step("store")
            a.owner_name.setText("Dana Cruz")
            step("owner")
            for digit in "4821":
                a.pin_pad.press(digit)
            a.pin_pad.press("OK")
            for digit in "48":
                a.pin_pad.press(digit)
            shots.append(_save(window, folder / "first-run-3-pin.png"))
            for key in ("2", "1", "OK"):
                a.pin_pad.press(key)
            a.next()
            a.url.setCurrentText(sim.url)
            a.username.setText(DEMO_USERNAME)
            a.password.setText("a-wrong-password")
            a.try_login()
            _until(a.try_button.isEnabled)
            shots.append(_save(window, folder / "first-run-4-wrong-password.png"))
            a.password.setText(DEMO_PASSWORD)
            a.try_login()
            _until(a.try_button.isEnabled)
            step("winedirect")
            step("codes")
            a.prefix.setText("TK7M3")
            step("prefix")
            a.tax.setText("8.625")
            step("tax")
            a.printer_buttons["file"].click()
            a.printer_address.setText(str(Path(tmp) / "receipts.bin"))
            a.test_print()
            _until(lambda: "sent" in a.printed.text())
            step("printer")
            shots.append(_save(window, folder / f"first-run-{a.index + 1}-confirm.png"))
            # What "Set up my winery" does, with the login kept out of this computer's keyring.
            database = set_up_store(data, a.answers(), save_login=lambda credentials: None)
            launcher.open_new_store(database)
            _until(lambda: getattr(launcher.window, "main", None) is not None)
            banner = launcher.banner
            assert banner is not None
            _until(lambda: banner.counts["contacts"] > 0 or banner.done)
            shots.append(_save(launcher.window, folder / "first-run-lock-first-sync.png"))
            _until(lambda: banner.done)
            shots.append(_save(launcher.window, folder / "first-run-lock-synced.png"))
        finally:
            launcher.close()
            launcher.wait()
            for name, value in saved_env.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return shots
