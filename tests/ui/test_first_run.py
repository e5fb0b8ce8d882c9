"""The first start's two doors, driven like a person at a touch screen: the demo door
opens the training store; the live door walks through the assistant against the
simulator over 127.0.0.1 and ends on the new store's lock screen with its first sync
counting what arrives; a wrong password, an unreachable address and PINs that differ
are each said, and nothing is saved until the last step."""

from __future__ import annotations

import socket
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tastingroom.paths import database_path
from tastingroom.people.staff import list_staff
from tastingroom.store.database import Database
from tastingroom.store_setup import SETUP_FILENAME, plan_start, training_folder
from tastingroom.winedirect.credentials import load_credentials
from tastingroom.winedirect.simulator.server import DEMO_PASSWORD, DEMO_USERNAME, Simulator
from tests.winedirect.test_credentials import MemoryKeyring
from ui.app import RegisterFrame, application
from ui.first_run.assistant import SetupAssistant
from ui.first_run.launcher import FirstRunWindow, Launcher

OWNER, PIN = "Dana Cruz", "4821"


@pytest.fixture
def memory_keyring(monkeypatch) -> MemoryKeyring:
    monkeypatch.delenv("TASTINGROOM_WINEDIRECT_USERNAME", raising=False)
    monkeypatch.delenv("TASTINGROOM_WINEDIRECT_PASSWORD", raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def simulator():
    with Simulator() as sim:
        sim.state.create_web_order(pickup=True)  # one more pickup waiting here
        yield sim


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "Tastingroom"


@pytest.fixture
def launcher(qtbot, folder: Path, memory_keyring):
    application()
    made = Launcher(database_path(folder))
    yield made
    made.close()
    made.wait()


def tap(qtbot, button: QPushButton) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_pin(qtbot, pad, pin: str) -> None:
    for digit in pin:
        tap(qtbot, pad.keys[digit])
    tap(qtbot, pad.keys["OK"])


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assistant_of(qtbot, launcher: Launcher) -> SetupAssistant:
    launcher.start()
    window = launcher.window
    assert isinstance(window, FirstRunWindow)
    tap(qtbot, window.doors.set_up_button)
    return window.assistant


def through_to_login(qtbot, assistant: SetupAssistant) -> None:
    """The first three steps, as an owner types them."""
    assert assistant.step.key == "store"
    qtbot.keyClicks(assistant.store_name, "Cedar Ridge Tasting Room")
    assistant.timezone.setCurrentText("America/Los_Angeles")
    tap(qtbot, assistant.next_button)
    assert assistant.step.key == "owner"
    qtbot.keyClicks(assistant.owner_name, OWNER)
    tap(qtbot, assistant.next_button)
    assert assistant.step.key == "pin"
    type_pin(qtbot, assistant.pin_pad, PIN)
    type_pin(qtbot, assistant.pin_pad, PIN)
    tap(qtbot, assistant.next_button)
    assert assistant.step.key == "winedirect"


def try_login(qtbot, assistant: SetupAssistant, url: str, user: str, password: str) -> str:
    assistant.url.setCurrentText(url)
    assistant.username.clear()
    qtbot.keyClicks(assistant.username, user)
    assistant.password.clear()
    qtbot.keyClicks(assistant.password, password)
    tap(qtbot, assistant.try_button)
    qtbot.waitUntil(lambda: assistant.try_button.isEnabled(), timeout=30_000)
    return assistant.results.text()


# --- the doors ---------------------------------------------------------------------------------


def test_a_first_start_shows_the_two_doors_and_makes_nothing(qtbot, launcher, folder: Path):
    launcher.start()
    window = launcher.window
    assert isinstance(window, FirstRunWindow)
    assert window.stack.currentWidget() is window.doors
    texts = {window.doors.demo_button.text(), window.doors.set_up_button.text()}
    assert texts == {"Try the demo winery", "Set up my winery"}
    assert not database_path(folder).exists()


def test_a_set_up_stopped_half_way_is_said_and_nothing_of_it_is_used(qtbot, launcher, folder):
    folder.mkdir()
    (folder / SETUP_FILENAME).write_bytes(b"what a killed set-up left")
    launcher.start()
    doors = launcher.window.doors
    assert doors.notice.isVisibleTo(doors) and "not finished" in doors.notice.text()
    with qtbot.waitSignal(launcher.sig_loaded, timeout=60_000):
        tap(qtbot, doors.demo_button)
    assert not (folder / SETUP_FILENAME).exists() and not database_path(folder).exists()


def test_the_demo_door_opens_the_training_store_and_offers_to_set_up(
    qtbot, launcher, folder: Path, memory_keyring
):
    memory_keyring.set_password("Tastingroom WineDirect", "webservice-username", "the-winery")
    memory_keyring.set_password("Tastingroom WineDirect", "the-winery", "never-sent")
    launcher.start()
    with qtbot.waitSignal(launcher.sig_loaded, timeout=60_000):
        tap(qtbot, launcher.window.doors.demo_button)
    frame = launcher.window
    assert isinstance(frame, RegisterFrame)
    assert frame.loader.path == database_path(training_folder(folder))
    assert not database_path(folder).exists()  # the store's own place stays free
    lock = frame.lock_screen
    assert lock.demo_hint.isVisible() and "Sam Okafor 3333 (owner)" in lock.demo_hint.text()
    set_up = lock.findChild(QPushButton, "cornerButton")
    assert set_up is not None and set_up.text() == "Set up my winery"
    bridge = frame.bridge  # the demo's own simulator, with the demo's login: never the winery's
    assert bridge is not None and bridge.simulator is not None
    assert bridge.engine.client._credentials.username == DEMO_USERNAME
    assert bridge.engine.client.base_url.startswith("http://127.0.0.1:")
    qtbot.mouseClick(lock.button_for("Sam Okafor"), Qt.MouseButton.LeftButton)
    type_pin(qtbot, lock.pad, "3333")
    assert frame.main is not None and frame.main.staff is not None

    later = plan_start(database_path(folder))
    assert later.offer_setup  # a later start: the training store, with the door
    with qtbot.waitSignal(launcher.sig_loaded, timeout=60_000):
        launcher.open(later)

    tap(qtbot, launcher.window.lock_screen.findChild(QPushButton, "cornerButton"))
    window = launcher.window
    assert isinstance(window, FirstRunWindow) and window.stack.currentWidget() is window.assistant


# --- the live door -------------------------------------------------------------------------------


def test_the_live_door_sets_up_the_store_against_winedirect_and_syncs_it(
    qtbot, launcher, folder: Path, simulator: Simulator, tmp_path: Path, memory_keyring
):
    assistant = assistant_of(qtbot, launcher)
    through_to_login(qtbot, assistant)
    said = try_login(qtbot, assistant, simulator.url, DEMO_USERNAME, DEMO_PASSWORD)
    assert said.count("✓") == 5 and "Every service answered" in said
    assert memory_keyring.items == {}  # nothing is saved before the last step
    tap(qtbot, assistant.next_button)

    assert assistant.step.key == "codes"  # offered from what WineDirect holds
    offered = assistant.offered
    assert "TASTINGROOM" in offered.pickup_locations and "Tasting Room" in offered.pools
    assert "VALLEELUNE" in offered.website_codes
    assert assistant.pickup_location.currentText() == "TASTINGROOM"
    assistant.inventory_pool.setCurrentText("Tasting Room")
    assistant.website_code.setCurrentText("VALLEELUNE")
    tap(qtbot, assistant.next_button)

    assert assistant.step.key == "prefix"
    assistant.prefix.setText("TR1")
    tap(qtbot, assistant.next_button)
    assert assistant.step.key == "prefix" and "demo's prefix" in assistant.message.text()
    assistant.prefix.setText("tk7m3")
    tap(qtbot, assistant.next_button)

    assert assistant.step.key == "tax"
    qtbot.keyClicks(assistant.tax, "86.25")
    tap(qtbot, assistant.next_button)
    assert assistant.step.key == "tax" and "8.625, not 86.25" in assistant.message.text()
    assistant.tax.setText("8.625")
    tap(qtbot, assistant.next_button)

    assert assistant.step.key == "printer"
    receipts = tmp_path / "receipts.bin"
    tap(qtbot, assistant.printer_buttons["file"])
    qtbot.keyClicks(assistant.printer_address, str(receipts))
    tap(qtbot, assistant.test_button)
    qtbot.waitUntil(lambda: "Test page sent" in assistant.printed.text(), timeout=10_000)
    page = receipts.read_bytes()
    assert page.startswith(b"\x1b@")  # ESC @: the printer is initialised
    assert "Cedar Ridge Tasting Room".encode("cp858") in page
    assert "Rosé, Gewürztraminer, Côte".encode("cp858") in page and b"\x1dV" in page  # the cut
    tap(qtbot, assistant.next_button)

    assert assistant.step.key == "confirm"
    assert "TK7M3-000001" in assistant.summary.text() and PIN not in assistant.summary.text()
    assert not database_path(folder).exists()
    with qtbot.waitSignal(launcher.sig_loaded, timeout=60_000):
        tap(qtbot, assistant.next_button)

    frame = launcher.window
    assert isinstance(frame, RegisterFrame) and frame.loader.path == database_path(folder)
    lock = frame.lock_screen
    assert not lock.demo_hint.isVisible()
    assert [b.text() for b in lock.buttons.values()] == [OWNER]
    assert lock.findChild(QPushButton, "cornerButton").text() == "Training store"
    banner = launcher.banner
    assert banner is not None and banner.bridge is frame.bridge  # the first sync runs
    qtbot.waitUntil(lambda: banner.done, timeout=60_000)
    assert banner.counts["catalog"] > 0 and banner.counts["contacts"] > 0
    assert banner.counts["orders"] >= 1  # pickups waiting here
    assert "Catalog items:" in banner.counts_label.text()
    assert "First sync done" in banner.state.text() and not banner.cancel.isVisible()

    settings = frame.register.settings
    assert (settings.store_name, settings.terminal_prefix, settings.tax_rate_ppm) == (
        "Cedar Ridge Tasting Room",
        "TK7M3",
        86_250,
    )
    assert (settings.website_code, settings.pickup_location, settings.inventory_pool) == (
        "VALLEELUNE",
        "TASTINGROOM",
        "Tasting Room",
    )
    assert not settings.demo_mode and settings.winedirect_url == simulator.url
    assert (settings.printer_kind, settings.printer_address) == ("file", str(receipts))
    assert load_credentials().username == DEMO_USERNAME  # in the keyring
    qtbot.mouseClick(lock.button_for(OWNER), Qt.MouseButton.LeftButton)
    type_pin(qtbot, lock.pad, PIN)
    assert frame.main.staff is not None and frame.main.staff.name == OWNER


def test_the_first_sync_can_be_cancelled(
    qtbot, launcher, folder: Path, simulator: Simulator, memory_keyring
):
    from tastingroom.store_setup import StoreSetup, set_up_store
    from tastingroom.winedirect.credentials import Credentials

    set_up_store(
        folder,
        StoreSetup(
            "Cedar Ridge",
            "America/Los_Angeles",
            OWNER,
            PIN,
            simulator.url,
            Credentials(DEMO_USERNAME, DEMO_PASSWORD),
            "VALLEELUNE",
            "TASTINGROOM",
            "Tasting Room",
            "TK7M3",
            86_250,
        ),
    )
    simulator.faults.latency_ms = 100  # slow enough to cancel in the middle
    with qtbot.waitSignal(launcher.sig_loaded, timeout=60_000):
        launcher.open_new_store(database_path(folder))
    banner = launcher.banner
    qtbot.waitUntil(lambda: banner.counts["catalog"] > 0, timeout=30_000)
    tap(qtbot, banner.cancel)
    assert "Stopping" in banner.state.text()
    qtbot.waitUntil(lambda: banner.done, timeout=60_000)
    assert "First sync stopped" in banner.state.text()
    assert launcher.window.bridge.engine.stopping.is_set()  # the loop ends: nothing pulls


# --- what is refused, and said ---------------------------------------------------------------


def test_a_wrong_password_shows_each_service_and_the_owner_retries(
    qtbot, launcher, simulator: Simulator, folder: Path
):
    assistant = assistant_of(qtbot, launcher)
    through_to_login(qtbot, assistant)
    said = try_login(qtbot, assistant, simulator.url, DEMO_USERNAME, "not-the-password")
    assert said.count("✗") == 5 and "5 service(s) refused" in said
    assert "ContactService V300" in said and "OrderService V301" in said
    assert DEMO_PASSWORD not in said and "not-the-password" not in said
    tap(qtbot, assistant.next_button)
    assert assistant.step.key == "winedirect" and "Try the login" in assistant.message.text()

    tap(qtbot, assistant.back_button)  # back, and forward again: the PIN is asked again
    assert assistant.step.key == "pin"
    type_pin(qtbot, assistant.pin_pad, PIN)
    type_pin(qtbot, assistant.pin_pad, PIN)
    tap(qtbot, assistant.next_button)

    said = try_login(qtbot, assistant, simulator.url, DEMO_USERNAME, DEMO_PASSWORD)
    assert said.count("✓") == 5
    tap(qtbot, assistant.next_button)
    assert assistant.step.key == "codes"
    assert not database_path(folder).exists()


def test_an_unreachable_address_says_nothing_answered(qtbot, launcher):
    assistant = assistant_of(qtbot, launcher)
    through_to_login(qtbot, assistant)
    url = f"http://127.0.0.1:{closed_port()}"
    said = try_login(qtbot, assistant, url, DEMO_USERNAME, DEMO_PASSWORD)
    assert said.startswith(f"Nothing answered at {url}.") and "network" in said
    tap(qtbot, assistant.next_button)
    assert assistant.step.key == "winedirect"

    said = try_login(qtbot, assistant, "http://winedirect.example.com", "u", "p")
    assert "https" in said  # plain http to another computer is refused before any call


def test_pins_that_differ_or_are_too_short_are_refused(qtbot, launcher):
    assistant = assistant_of(qtbot, launcher)
    tap(qtbot, assistant.next_button)
    assert assistant.step.key == "store" and "store's name" in assistant.message.text()
    qtbot.keyClicks(assistant.store_name, "Cedar Ridge")
    tap(qtbot, assistant.next_button)
    qtbot.keyClicks(assistant.owner_name, OWNER)
    tap(qtbot, assistant.next_button)
    pad = assistant.pin_pad
    type_pin(qtbot, pad, "12")
    assert pad.message.text() == "A PIN is 4 to 8 digits."
    type_pin(qtbot, pad, "1234")
    assert "same PIN again" in assistant.pin_prompt.text()
    type_pin(qtbot, pad, "4321")
    assert "The two PINs differ" in pad.message.text()
    tap(qtbot, assistant.next_button)
    assert assistant.step.key == "pin" and "same PIN again" in assistant.message.text()
    type_pin(qtbot, pad, "1234")
    type_pin(qtbot, pad, "1234")
    assert "PIN is set" in assistant.pin_prompt.text()
    tap(qtbot, assistant.next_button)
    assert assistant.step.key == "winedirect"
    for _ in range(3):
        tap(qtbot, assistant.back_button)
    assert assistant.step.key == "store"
    tap(qtbot, assistant.back_button)  # the first step's Back: the doors again
    window = launcher.window
    assert window.stack.currentWidget() is window.doors


# --- later starts ------------------------------------------------------------------------------


def test_a_store_opens_with_its_training_store_a_tap_away(
    qtbot, launcher, folder: Path, memory_keyring
):
    from tastingroom.store_setup import init_store

    init_store(database_path(folder), terminal_prefix="BAR1")
    db = Database.open(database_path(folder))
    from tastingroom.people.staff import Role
    from tastingroom.store_setup import add_person

    add_person(db, OWNER, Role.OWNER, PIN, PIN)
    db.close()
    launcher.start()
    frame = launcher.window
    assert isinstance(frame, RegisterFrame) and frame.loader.path == database_path(folder)
    with qtbot.waitSignal(launcher.sig_loaded, timeout=60_000):
        launcher.start_loading()
    with qtbot.waitSignal(launcher.sig_loaded, timeout=60_000):
        tap(qtbot, frame.lock_screen.findChild(QPushButton, "cornerButton"))
    demo = launcher.window
    assert demo.loader.path == database_path(training_folder(folder))
    assert demo.lock_screen.demo_hint.isVisible()
    back = demo.lock_screen.findChild(QPushButton, "cornerButton")
    assert back.text() == "Back to my store"
    with qtbot.waitSignal(launcher.sig_loaded, timeout=60_000):
        tap(qtbot, back)
    assert launcher.window.loader.path == database_path(folder)
    register = launcher.window.register
    assert [m.name for m in list_staff(register.db)] == [OWNER]
    assert not register.settings.demo_mode and len(register.catalog) == 0  # no demo wine here
