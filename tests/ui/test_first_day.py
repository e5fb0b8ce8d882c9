"""A winery's first day: the README's going-live commands as a person types them, the
register on the new store (never the demo), the demo's lock screen and its own WineDirect
across restarts, and what the register says when it cannot start."""

from __future__ import annotations

import os
import re
import select
import shlex
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring
from PySide6.QtCore import Qt
from sqlalchemy import func
from sqlalchemy import select as sql_select

from tastingroom import cli
from tastingroom.paths import database_path
from tastingroom.settings import save_settings
from tastingroom.status import read_status
from tastingroom.store.database import Database
from tastingroom.store.models import Order
from tastingroom.sync.problems import open_problems
from tastingroom.winedirect.simulator.persist import STATE_FILENAME
from tastingroom.winedirect.simulator.server import DEMO_USERNAME, Simulator
from ui import app as ui_app
from ui.app import XCB_LIBRARIES, RegisterFrame, application, platform_problem
from ui.lock_screen import LockScreen
from ui.sync_bridge import SyncBridge

README = Path(__file__).resolve().parents[2] / "README.md"
OWNER_PIN = "4821"


def going_live_commands() -> list[str]:
    """The commands of the README's "Going live" block, continuation lines joined."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Going live") :]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block, "the README's Going live section has no command block"
    return [line for line in block[1].replace("\\\n", " ").splitlines() if line.strip()]


def as_run_here(command: str, folder: Path) -> list[str]:
    """A README command with the test's folder for ~/Tastingroom and this interpreter's
    installed `tastingroom` for `.venv/bin/tastingroom`; nothing else changed."""
    words = shlex.split(command.replace("~/Tastingroom", shlex.quote(str(folder))))
    assert words[0] == ".venv/bin/tastingroom", command
    return [sys.executable, "-m", "tastingroom.cli", *words[1:]]


def typed_at_a_terminal(argv: list[str], answers: list[tuple[str, str]], env: dict) -> str:
    """Run `argv` on a pseudo-terminal that is its controlling terminal (getpass reads
    /dev/tty), typing each answer once its prompt appears; all it wrote, once it ends."""
    import fcntl
    import termios

    master, slave = os.openpty()

    def own_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        preexec_fn=own_terminal,
    )
    os.close(slave)
    seen = ""
    pending = list(answers)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the program ended and closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk.decode("utf-8", "replace")
                if pending and pending[0][0] in seen.rsplit("\n", 1)[-1]:
                    os.write(master, pending.pop(0)[1].encode() + b"\r")
            elif proc.poll() is not None:
                break
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert proc.returncode == 0, seen
    return seen


def sign_in(qtbot, lock: LockScreen, name: str, pin: str) -> None:
    qtbot.mouseClick(lock.button_for(name), Qt.MouseButton.LeftButton)
    for digit in pin:
        qtbot.mouseClick(lock.pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(lock.pad.keys["OK"], Qt.MouseButton.LeftButton)


@pytest.fixture
def no_winedirect_login(monkeypatch):
    """No login anywhere: the new store's register must not try to sync (and never with a
    real WineDirect from a test)."""
    monkeypatch.delenv("TASTINGROOM_WINEDIRECT_USERNAME", raising=False)
    monkeypatch.delenv("TASTINGROOM_WINEDIRECT_PASSWORD", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pseudo-terminal")
def test_the_readme_going_live_commands_open_the_new_store_not_the_demo(
    qtbot, tmp_path: Path, monkeypatch, no_winedirect_login
):
    folder = tmp_path / "Tastingroom"
    decoy = tmp_path / "decoy"  # where the data would go if --data-dir were lost
    decoy.mkdir()
    env = {**os.environ, "TASTINGROOM_DATA_DIR": str(decoy)}
    init, add_owner, start = going_live_commands()

    made = subprocess.run(
        as_run_here(init, folder), capture_output=True, text=True, env=env, timeout=120
    )
    assert made.returncode == 0, made.stderr
    assert re.search(r"Terminal prefix: T[2-9A-Z]{4} \(unique to this register", made.stdout)

    owner = re.search(r'staff add "([^"]+)" --role owner', add_owner)
    assert owner, add_owner
    answers = [("PIN for", OWNER_PIN), ("same PIN again", OWNER_PIN)]
    said = typed_at_a_terminal(as_run_here(add_owner, folder), answers, env)
    assert f"{owner[1]} (owner) can sign in now." in said
    assert OWNER_PIN not in said  # never echoed

    def register_window(path: Path) -> int:
        """What `run_register` does, driven by pytest-qt instead of an event loop."""
        application()
        frame = RegisterFrame(path)
        qtbot.addWidget(frame)
        frame.show()
        assert not frame.lock_screen.demo_hint.isVisible()
        with qtbot.waitSignal(frame.sig_loaded, timeout=30_000):
            frame.start_loading()
        try:
            assert frame.bridge is None  # no login yet: nothing syncs
            assert [b.text() for b in frame.lock_screen.buttons.values()] == [owner[1]]
            sign_in(qtbot, frame.lock_screen, owner[1], OWNER_PIN)
            main = frame.main
            assert main is not None and main.staff is not None
            assert main.staff.name == owner[1] and main.pages.currentIndex() == 1
            assert not main.register.settings.demo_mode
            assert len(main.register.catalog) == 0  # the demo's wines are not here
            assert "Vallée Lune" not in frame.windowTitle()
            assert not frame.lock_screen.demo_hint.isVisible()
        finally:
            frame.close()
        return 0

    monkeypatch.setattr(ui_app, "run_register", register_window)
    argv = as_run_here(start, folder)[3:]  # what follows `tastingroom`
    assert cli.main(argv) == 0
    assert list(decoy.iterdir()) == []


# --- the demo's own WineDirect, across restarts ------------------------------------------------


def _sync_until_pulled(qtbot, db: Database) -> dict[str, dict]:
    """Start the register's demo sync, wait for a pull after this start, stop it; the
    simulator's orders as they stood."""
    before = read_status(db).last_pull_at
    bridge = SyncBridge.for_register(db, interval_s=1)
    assert bridge is not None and bridge.simulator is not None
    bridge.start()
    try:
        qtbot.waitUntil(
            lambda: (
                bool(bridge.last_status) and bridge.last_status.last_pull_at not in (None, before)
            ),
            timeout=60_000,
        )
        return {oid: dict(order) for oid, order in bridge.simulator.state.orders.items()}
    finally:
        bridge.stop()


def _web_orders_here(db: Database) -> dict[str, str]:
    """WineDirect id -> number of every web order the register holds."""
    with db.read() as s:
        rows = s.execute(
            sql_select(Order.wd_order_id, Order.number).where(Order.wd_order_id.is_not(None))
        )
        return {wd_id: number for wd_id, number in rows}


def test_a_restarted_demo_goes_on_where_its_winedirect_stopped(qtbot, demo_db: Database):
    first = _sync_until_pulled(qtbot, demo_db)
    saved = demo_db.path.parent / STATE_FILENAME
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    pulled = _web_orders_here(demo_db)
    assert pulled and set(pulled) <= set(first)

    second = _sync_until_pulled(qtbot, demo_db)
    third = _sync_until_pulled(qtbot, demo_db)

    for earlier, later in ((first, second), (second, third)):
        assert set(earlier) <= set(later)  # the same orders, under the same ids
        assert all(later[i]["OrderNumber"] == o["OrderNumber"] for i, o in earlier.items())
    numbers = [int(o["OrderNumber"]) for o in third.values()]
    assert len(numbers) == len(set(numbers))  # numbers went on, never issued again
    status = read_status(demo_db)
    assert status.problems == () and status.online
    with demo_db.read() as s:
        assert open_problems(s) == []  # nothing set aside
        orders_here = s.scalar(sql_select(func.count()).select_from(Order))
    web = _web_orders_here(demo_db)
    assert set(pulled) <= set(web) <= set(third)  # each web order once, under its own id
    assert len(set(web.values())) == len(web) and orders_here >= len(web)


# --- a demo database syncs with nothing but a simulator on this computer ------------------------


def test_the_demo_register_syncs_with_its_own_simulator_whatever_its_settings_say(
    qtbot, demo_db: Database, monkeypatch
):
    monkeypatch.setenv("TASTINGROOM_WINEDIRECT_USERNAME", "the-winerys-own")
    monkeypatch.setenv("TASTINGROOM_WINEDIRECT_PASSWORD", "never-sent")
    for url in ("https://webservices.vin65.com", "https://webservices.aus.vin65.com"):
        with demo_db.write() as s:
            save_settings(s, winedirect_url=url)
        bridge = SyncBridge.for_register(demo_db)
        assert bridge is not None and bridge.simulator is not None
        try:
            client = bridge.engine.client
            assert client.base_url == bridge.simulator.url.rstrip("/")
            assert client.base_url.startswith("http://127.0.0.1:")
            assert client._credentials.username == DEMO_USERNAME
        finally:
            bridge.stop()


def test_a_demo_set_up_for_a_trainers_simulator_uses_it_with_the_demo_login(
    qtbot, demo_db: Database, monkeypatch
):
    monkeypatch.setenv("TASTINGROOM_WINEDIRECT_USERNAME", "the-winerys-own")
    monkeypatch.setenv("TASTINGROOM_WINEDIRECT_PASSWORD", "never-sent")
    with Simulator() as trainer:
        with demo_db.write() as s:
            save_settings(s, winedirect_url=trainer.url)
        bridge = SyncBridge.for_register(demo_db, interval_s=1)
        assert bridge is not None and bridge.simulator is None  # no simulator of its own
        bridge.start()
        try:
            qtbot.waitUntil(
                lambda: bool(bridge.last_status and bridge.last_status.online), timeout=30_000
            )
        finally:
            bridge.stop()
    assert not (demo_db.path.parent / STATE_FILENAME).exists()


# --- the lock screen ---------------------------------------------------------------------------


def test_the_demo_lock_screen_shows_the_demo_pins_and_a_store_never_does(
    qtbot, tmp_path: Path, demo_template: Path
):
    path = tmp_path / "demo" / "tastingroom.sqlite3"
    path.parent.mkdir()
    shutil.copy(demo_template, path)
    application()
    frame = RegisterFrame(path)  # before the engine loads: from first_look
    qtbot.addWidget(frame)
    frame.resize(1280, 800)
    frame.show()
    qtbot.waitExposed(frame)
    hint = frame.lock_screen.demo_hint
    expected = (
        "Demo winery — Alex Rivera 1111 (cashier), Morgan Lee 2222 (manager), "
        "Sam Okafor 3333 (owner)"
    )
    assert hint.isVisible() and hint.text() == expected
    shots = tmp_path / "shots"
    shots.mkdir()
    assert frame.grab().save(str(shots / "demo-lock.png"))
    with qtbot.waitSignal(frame.sig_loaded, timeout=30_000):
        frame.start_loading()
    try:
        assert frame.lock_screen.demo_hint.text() == expected  # the engine agrees
        sign_in(qtbot, frame.lock_screen, "Sam Okafor", "3333")
        assert frame.main.staff is not None and frame.main.staff.name == "Sam Okafor"
    finally:
        frame.close()

    db = Database.open(path)
    with db.write() as s:
        save_settings(s, demo_mode=False)  # the same staff, but a store of its own
    db.close()
    frame = RegisterFrame(path)
    qtbot.addWidget(frame)
    frame.show()
    assert not frame.lock_screen.demo_hint.isVisible()
    with qtbot.waitSignal(frame.sig_loaded, timeout=30_000):
        frame.start_loading()
    try:
        assert not frame.lock_screen.demo_hint.isVisible()
        assert "1111" not in frame.lock_screen.demo_hint.text()
    finally:
        frame.close()


def test_a_first_start_with_nothing_set_up_shows_the_demo_pins_once_seeded(qtbot, tmp_path: Path):
    """Nothing set up: the doors (`ui.first_run`); the demo door seeds the training store
    and its lock screen shows the demo's PINs once it has."""
    from ui.first_run.launcher import FirstRunWindow, Launcher

    application()
    launcher = Launcher(tmp_path / "fresh" / "tastingroom.sqlite3")
    launcher.start()
    try:
        assert isinstance(launcher.window, FirstRunWindow)  # nothing to read yet
        with qtbot.waitSignal(launcher.sig_loaded, timeout=60_000):
            launcher.window.doors.demo_button.click()
        frame = launcher.window
        assert frame.lock_screen.demo_hint.isVisible()
        assert "Alex Rivera 1111 (cashier)" in frame.lock_screen.demo_hint.text()
        assert frame.loader.path == tmp_path / "fresh" / "demo" / "tastingroom.sqlite3"
    finally:
        launcher.close()
        launcher.wait()


def failed_start(qtbot, path: Path) -> RegisterFrame:
    application()
    frame = RegisterFrame(path)
    qtbot.addWidget(frame)
    frame.show()
    frame.start_loading()
    qtbot.waitUntil(lambda: frame.failed, timeout=30_000)
    frame.loader.wait()
    assert not frame.lock_screen.pad.isEnabled()
    return frame


def test_the_lock_screen_says_the_data_folder_is_a_file(qtbot, tmp_path: Path, capfd):
    not_a_folder = tmp_path / "Tastingroom"
    not_a_folder.write_text("notes")
    frame = failed_start(qtbot, database_path(not_a_folder))
    message = frame.lock_screen.pad.message.text()
    assert f"{not_a_folder} is a file, not a folder" in message and "--data-dir" in message
    assert not_a_folder.read_text() == "notes"
    err = capfd.readouterr().err.strip().splitlines()
    assert err == [f"tastingroom: {message}"]
    frame.close()


def test_the_lock_screen_says_a_read_only_database_is_read_only(
    qtbot, tmp_path: Path, demo_template: Path, monkeypatch
):
    path = tmp_path / "data" / "tastingroom.sqlite3"
    path.parent.mkdir(mode=0o700)
    shutil.copy(demo_template, path)
    path.chmod(0o400)
    if os.geteuid() == 0:  # root may write anything: answer as the system would for others
        real_access = os.access

        def access(target, mode, **kwargs):
            if Path(target) == path and mode & os.W_OK:
                return False
            return real_access(target, mode, **kwargs)

        monkeypatch.setattr(os, "access", access)
    before = path.read_bytes()
    frame = failed_start(qtbot, path)
    message = frame.lock_screen.pad.message.text()
    assert "is read-only for this account" in message and "chmod" in message
    assert "not damaged" in message and "restore" not in message
    assert path.read_bytes() == before
    frame.close()


# --- a Linux desktop without what Qt's X11 plugin needs --------------------------------------


def test_missing_xcb_libraries_are_named_with_their_packages():
    lacking = {"libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    problem = platform_problem(
        {"DISPLAY": ":0"}, "linux", loads=lambda name: name not in lacking, answers=lambda d: True
    )
    assert problem is not None and "\n" not in problem
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 " in problem
    assert all(name in problem for name in lacking)


def test_the_platform_check_stays_out_of_the_way_where_qt_will_not_use_x11():
    def never(name: str) -> bool:
        raise AssertionError(f"{name} probed")

    for env, system in (
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux"),
        ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":0"}, "linux"),
        ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, "linux"),
        ({}, "darwin"),
        ({}, "win32"),
    ):
        assert platform_problem(env, system, loads=never, answers=never) is None
    everything = {name: True for name in XCB_LIBRARIES}.get
    assert platform_problem({"DISPLAY": ":0"}, "linux", everything, lambda d: True) is None
    assert "no display is set" in platform_problem({}, "linux", everything, lambda d: True)
    assert "cannot reach the display :99" in platform_problem(
        {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":99"}, "linux", everything, lambda d: False
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's X11 plugin")
def test_the_register_without_a_usable_x11_display_says_why_in_one_line(tmp_path: Path):
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": ":99"}
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run(
        [sys.executable, "-m", "tastingroom.cli", "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tastingroom: the register "), done.stderr
    assert "apt-get install" in lines[0] or "cannot reach the display :99" in lines[0]
    assert "qt.qpa" not in done.stderr and "Aborted" not in done.stderr
    assert not (tmp_path / "data").exists()  # nothing was made
