"""Printing and the drawer pulse run on the worker, never on the UI thread.

A network printer that is switched off answers nothing: here, a listening socket whose
backlog is full and never accepted from, so a connection to it waits out its timeout.
While the receipt waits, the register keeps processing events (a timer ticks on time);
then the dialog that asked says what happened. No worker thread outlives a test (the
autouse fixture in conftest stops it and fails the test if it would not stop)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from sqlalchemy import func, select

from tastingroom.devices.printer import PrinterConfig
from tastingroom.devices.receipt import drawer_kick
from tastingroom.store.models import Order
from ui import worker
from ui.main_window import MainWindow
from ui.worker import Op

from .conftest import ring_cash_sale
from .test_selling import check_age, ring

TIMEOUT_S = 1.5
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def switched_off_printer() -> Iterator[PrinterConfig]:
    """A printer address on 127.0.0.1 that never answers: its listening socket's backlog
    is filled and nothing is ever accepted, so a new connection hangs until it times out."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.1)
    yield PrinterConfig("network", host="127.0.0.1", port=port, timeout_s=TIMEOUT_S)
    for s in (*fillers, server):
        s.close()


@pytest.fixture
def working_printer() -> Iterator[tuple[PrinterConfig, list[bytes]]]:
    """A network printer that takes jobs: each connection's bytes, in order."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    jobs: list[bytes] = []
    stop = threading.Event()

    def take() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                job = bytearray()
                while chunk := conn.recv(65536):
                    job.extend(chunk)
                jobs.append(bytes(job))

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    yield PrinterConfig("network", host="127.0.0.1", port=server.getsockname()[1]), jobs
    stop.set()
    thread.join(timeout=5)
    server.close()


class Ticks:
    """A 20 ms timer on the UI thread, and the longest gap between its ticks."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.timer = QTimer(interval=20)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        self.times.append(time.monotonic())

    def stop(self) -> float:
        self.timer.stop()
        return max(b - a for a, b in zip(self.times, self.times[1:], strict=False))


def set_printer(window: MainWindow, printer: PrinterConfig) -> None:
    """What saving the printer in Settings does (with a short timeout for the test)."""
    window.printer = window.selling.printer = window.pickups.printer = window.orders.printer = (
        printer
    )


def pay_cash(qtbot, window: MainWindow):
    ring(qtbot, window, "PN22")
    check_age(qtbot, window, 1980)
    pay = window.selling.payment_dialog
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible())
    qtbot.mouseClick(pay.quick_row.itemAt(0).widget(), LEFT)
    return pay


def test_a_switched_off_printer_never_freezes_the_register(
    qtbot, signed_in: MainWindow, switched_off_printer: PrinterConfig
):
    window = signed_in
    set_printer(window, switched_off_printer)
    pay = pay_cash(qtbot, window)
    ticks = Ticks()
    started = time.monotonic()
    with qtbot.waitSignal(pay.sig_print_problem, timeout=int(TIMEOUT_S * 1000) + 5_000) as said:
        qtbot.mouseClick(pay.complete, LEFT)
        assert time.monotonic() - started < 0.5  # the click came back at once
        assert pay.print_status.text() == "Printing the receipt…"
        assert pay.pages.currentIndex() == 1  # the sale is done on screen meanwhile
    waited = time.monotonic() - started
    longest_gap = ticks.stop()
    assert waited >= TIMEOUT_S * 0.9  # the printer really was waited for...
    assert longest_gap < TIMEOUT_S / 2  # ...and the UI thread ticked all along
    assert len(ticks.times) >= waited / 0.02 * 0.5
    address = f"127.0.0.1:{switched_off_printer.port}"
    expected = (
        f"The receipt printer at {address} did not answer; the sale is saved. Reprint from Orders."
    )
    assert said.args == [expected] and pay.print_status.text() == expected
    assert pay.sale.number in pay.receipt_view.toPlainText()  # shown instead
    with window.register.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 1
    assert worker.task_manager().pending == 0


def test_a_receipt_prints_then_the_drawer_opens(
    qtbot, signed_in: MainWindow, working_printer: tuple[PrinterConfig, list[bytes]]
):
    window = signed_in
    printer, jobs = working_printer
    set_printer(window, printer)
    pay = pay_cash(qtbot, window)
    qtbot.mouseClick(pay.complete, LEFT)
    qtbot.waitUntil(lambda: len(jobs) == 2, timeout=5_000)
    receipt, pulse = jobs
    assert receipt.startswith(b"\x1b@\x1bt") and pay.sale.number.encode() in receipt
    assert pulse == drawer_kick()
    qtbot.waitUntil(lambda: pay.print_status.text() == "Receipt printed.")
    assert pay.receipt_view.toPlainText() == ""  # printed, so not shown


def test_reprinting_to_a_switched_off_printer_says_so_on_the_orders_screen(
    qtbot, signed_in: MainWindow, cashier, switched_off_printer: PrinterConfig
):
    window = signed_in
    register = window.register
    sale = ring_cash_sale(register, cashier)
    set_printer(window, switched_off_printer)
    qtbot.mouseClick(window.nav["Orders"], LEFT)
    screen = window.orders
    screen.table.selectRow(0)
    ticks = Ticks()
    qtbot.mouseClick(screen.reprint_button, LEFT)
    assert screen.message.text() == f"Printing receipt {sale.number} again…"
    qtbot.waitUntil(lambda: "did not answer" in screen.message.text(), timeout=5_000)
    assert ticks.stop() < TIMEOUT_S / 2
    assert f"receipt {sale.number} is shown above" in screen.message.text()
    assert "(copy)" in screen.receipt.toPlainText()


def test_a_slip_for_a_switched_off_printer_says_so_on_the_pickups_screen(
    qtbot, signed_in: MainWindow, switched_off_printer: PrinterConfig
):
    from tastingroom.sync.engine import SyncEngine
    from tastingroom.winedirect.client import WineDirectClient
    from tastingroom.winedirect.credentials import Credentials
    from tastingroom.winedirect.simulator.server import DEMO_PASSWORD, DEMO_USERNAME, Simulator

    window = signed_in
    with Simulator() as sim:
        web = sim.state.create_web_order(pickup=True)
        engine = SyncEngine(
            window.register.db,
            lambda: WineDirectClient(sim.url, Credentials(DEMO_USERNAME, DEMO_PASSWORD)),
        )
        engine.run_once()
        engine.close()
    number = str(int(web["OrderNumber"]))
    set_printer(window, switched_off_printer)
    qtbot.mouseClick(window.nav["Pickups"], LEFT)
    screen = window.pickups
    screen.search.setText(number)
    qtbot.mouseClick(screen.hand_over_button, LEFT)
    dialog = screen.age_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.dob.setText("09/09/1971")
    ticks = Ticks()
    qtbot.mouseClick(dialog.check_button, LEFT)
    assert "Printing the slip…" in screen.message.text()
    qtbot.waitUntil(lambda: "did not answer" in screen.message.text(), timeout=5_000)
    assert ticks.stop() < TIMEOUT_S / 2
    assert "the hand-over is saved" in screen.message.text()
    assert "Age checked: Date of birth typed" in screen.slip.toPlainText()


def test_the_worker_runs_ops_in_order_and_reports_back_on_the_ui_thread(qtbot):
    ui_thread = threading.get_ident()
    seen: list[tuple[str, object, bool]] = []

    def failing() -> None:
        raise ValueError("no paper")

    for index in range(3):
        Op(
            work=lambda i=index: (time.sleep(0.02), i)[1],
            on_done=lambda value: seen.append(("done", value, threading.get_ident() == ui_thread)),
        ).run()
    Op(
        work=failing,
        on_failed=lambda exc: seen.append(("failed", str(exc), threading.get_ident() == ui_thread)),
    ).run()
    qtbot.waitUntil(lambda: len(seen) == 4)
    assert seen == [
        ("done", 0, True),
        ("done", 1, True),
        ("done", 2, True),
        ("failed", "no paper", True),
    ]
    assert worker.task_manager().running
    assert worker.shutdown() and not worker.task_manager().running


def test_a_closed_screen_is_not_called_back(qtbot):
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    calls: list[object] = []
    Op(work=lambda: time.sleep(0.1), on_done=calls.append, parent=label).run()
    label.deleteLater()
    qtbot.waitUntil(lambda: worker.task_manager().pending == 0)
    assert calls == []
