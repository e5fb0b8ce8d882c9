"""The cash drawer screen, driven like staff at the counter: steppers tapped to count a
float, paid-outs approved by a manager's PIN, a drop, the X report, the Z close with
its count, reason and sign-off, the Z's files, and its printout on a file printer."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from tastingroom import drawer
from tastingroom.devices.printer import PrinterConfig
from tastingroom.devices.receipt import drawer_kick, receipt_text
from tastingroom.drawer.printout import reports_folder
from tastingroom.money import format_cents
from tastingroom.selling.sales import Register
from tastingroom.settings import save_settings
from tastingroom.store.models import AuditEntry
from ui.drawer.close_dialog import CloseDialog
from ui.drawer.count_widget import CountWidget
from ui.drawer.drawer_screen import DrawerScreen
from ui.drawer.movement_dialog import MovementDialog

from .conftest import approve_in, ring_cash_sale, tap


@pytest.fixture
def printer_file(tmp_path):
    return tmp_path / "printer.bin"


@pytest.fixture
def screen(qtbot, register: Register, cashier, printer_file) -> DrawerScreen:
    widget = DrawerScreen(
        register, lambda: cashier, lambda: PrinterConfig("file", path=str(printer_file))
    )
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def count(qtbot, counter: CountWidget, pieces: dict[str, int]) -> None:
    """Tap + for each piece, as staff count into the drawer."""
    for key, number in pieces.items():
        tap(qtbot, counter.rows[key].plus, number)


def open_with_float(qtbot, screen: DrawerScreen) -> None:
    """$100 in fives and $20 in quarters, counted with the steppers: $120."""
    count(qtbot, screen.counter, {"bill_500": 20})
    qtbot.keyClicks(screen.counter.rows["coin_25"].field, "80")
    tap(qtbot, screen.open_button)
    assert screen.session is not None


def record(qtbot, screen: DrawerScreen, button, amount: str, reason: str = "") -> MovementDialog:
    tap(qtbot, button)
    dialog = screen.movement_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.amount, amount)
    qtbot.keyClicks(dialog.reason, reason)
    tap(qtbot, dialog.record_button)
    return dialog


def close_with(
    qtbot, screen: DrawerScreen, pieces: dict[str, int], reason: str = "", leave: str = ""
) -> CloseDialog:
    tap(qtbot, screen.close_button)
    dialog = screen.close_dialog
    qtbot.waitUntil(dialog.isVisible)
    count(qtbot, dialog.counter, pieces)
    qtbot.keyClicks(dialog.reason, reason)
    if leave:
        dialog.leave.clear()
        qtbot.keyClicks(dialog.leave, leave)
    tap(qtbot, dialog.close_button)
    return dialog


def test_open_with_a_counted_float(qtbot, screen: DrawerScreen):
    assert screen.pages.currentIndex() == 0 and not screen.carry_button.isVisible()
    count(qtbot, screen.counter, {"bill_500": 20})
    tap(qtbot, screen.counter.rows["bill_500"].minus)
    tap(qtbot, screen.counter.rows["bill_500"].plus)
    qtbot.keyClicks(screen.counter.rows["coin_25"].field, "80")
    assert screen.counter.rows["bill_500"].field.text() == "20"
    assert screen.counter.total_label.text() == "Counted $120.00"
    assert screen.open_button.text() == "Open drawer with $120.00"
    tap(qtbot, screen.open_button)
    session = drawer.current_session(screen.db)
    assert session.float_cents == 12_000
    assert session.float_count == drawer.DrawerCount({"bill_500": 20, "coin_25": 80})
    assert screen.pages.currentIndex() == 1
    assert screen.expected_label.text() == "Expected in drawer $120.00"


def test_steppers_are_big_enough_to_tap(qtbot, screen: DrawerScreen):
    row = screen.counter.rows["coin_1"]
    for widget in (row.minus, row.plus, row.field):
        assert widget.height() >= 44 and widget.width() >= 44


def test_paid_out_needs_a_manager_and_paid_in_does_not(qtbot, screen: DrawerScreen):
    open_with_float(qtbot, screen)
    dialog = record(qtbot, screen, screen.paid_out_button, "12.50")
    assert dialog.messages.text("reason") == "Say what the cash is for."
    qtbot.keyClicks(dialog.reason, "Ice for the market stand")
    tap(qtbot, dialog.record_button)
    approval = dialog.approval_dialog
    assert set(approval.buttons) == {"Morgan Lee", "Sam Okafor"}  # cashiers cannot approve
    approve_in(qtbot, approval, "Morgan Lee", "0000")
    assert "Wrong PIN" in approval.pad.message.text()
    assert drawer.expected_cash(screen.db, screen.session.id) == 12_000
    approve_in(qtbot, approval, "Morgan Lee", "2222")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert screen.expected_label.text() == "Expected in drawer $107.50"
    assert "paid-out  -$12.50  Ice for the market stand" in screen.movement_list.item(0).text()

    paid_in = record(qtbot, screen, screen.paid_in_button, "20", "Change from the bank")
    assert paid_in.approval_dialog is None and not paid_in.isVisible()
    assert screen.expected_label.text() == "Expected in drawer $127.50"
    with screen.db.read() as s:
        out = s.scalar(select(AuditEntry).where(AuditEntry.action == "drawer_paid_out"))
    assert out.approved_by is not None and out.detail == "paid-out $12.50 Ice for the market stand"


def test_a_drop_and_a_refused_drop(qtbot, screen: DrawerScreen):
    open_with_float(qtbot, screen)
    too_much = record(qtbot, screen, screen.drop_button, "500")
    assert "should hold only $120.00" in too_much.messages.text("amount")
    assert too_much.isVisible()
    too_much.reject()
    record(qtbot, screen, screen.drop_button, "100")
    assert screen.expected_label.text() == "Expected in drawer $20.00"
    assert screen.message.text() == "Recorded: drop to the safe of $100.00."


def test_x_report_figures_and_printing(qtbot, screen: DrawerScreen, cashier, printer_file):
    open_with_float(qtbot, screen)
    ring_cash_sale(screen.register, cashier)
    record(qtbot, screen, screen.drop_button, "50")
    tap(qtbot, screen.x_button)
    x = drawer.x_report(screen.db)
    assert x.cash_sales == 1 and x.drops_cents == 5_000 and x.float_cents == 12_000
    text = screen.x_view.toPlainText()
    assert "Cash sales (1)" in text and "Drops to the safe" in text
    expected = f"Expected in drawer {format_cents(x.expected_cents)}"
    assert screen.expected_label.text() == expected
    assert any(
        line.startswith("Expected in drawer") and line.endswith(format_cents(x.expected_cents))
        for line in text.splitlines()
    )
    tap(qtbot, screen.print_x_button)
    qtbot.waitUntil(lambda: screen.message.text() == "The X report was printed.")
    data = printer_file.read_bytes()
    assert data.startswith(b"\x1b@") and b"\x1dV" in data
    assert "X REPORT" in receipt_text(data)


def test_no_sale_needs_a_manager_and_pulses_the_drawer(qtbot, screen: DrawerScreen, printer_file):
    open_with_float(qtbot, screen)
    tap(qtbot, screen.no_sale_button)
    approve_in(qtbot, screen.approval_dialog, "Sam Okafor", "3333")
    qtbot.waitUntil(lambda: screen.message.text() == "No-sale recorded; the drawer is open.")
    assert printer_file.read_bytes() == drawer_kick()
    assert drawer.x_report(screen.db).no_sales == 1


def test_z_close_exactly_right_saves_and_prints(qtbot, screen: DrawerScreen, printer_file):
    open_with_float(qtbot, screen)
    dialog = close_with(qtbot, screen, {"bill_2000": 6})
    assert dialog.counter.total_label.text() == "Counted $120.00"
    assert dialog.over_short_label.text() == "Exact"
    approve_in(qtbot, dialog.approval_dialog, "Morgan Lee", "2222")
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1)
    assert dialog.z_title.text() == "Closed as Z1: the drawer is exactly right"
    assert "Z REPORT Z1" in dialog.report_view.toPlainText()
    qtbot.waitUntil(lambda: dialog.saved is not None)
    assert dialog.saved.pdf.read_bytes().startswith(b"%PDF")
    assert dialog.saved.csv.name == "TR1-Z1.csv" and dialog.saved.pdf.name == "TR1-Z1.pdf"
    rows = {(r[0], r[1]): r for r in csv.reader(io.StringIO(dialog.saved.csv.read_text()))}
    assert rows[("close", "over_short")][3] == "0.00"
    qtbot.waitUntil(lambda: dialog.status.text() == "The Z1 was printed.")
    printed = printer_file.read_bytes()
    assert printed.startswith(b"\x1b@") and b"\x1dV" in printed
    assert "Z REPORT Z1" in receipt_text(printed) and "$20 bill x 6" in receipt_text(printed)
    tap(qtbot, dialog.done_button)
    assert not dialog.isVisible() and screen.pages.currentIndex() == 0
    assert drawer.current_session(screen.db) is None
    assert screen.message.text() == "Closed as Z1; $120.00 left for the next session."


def test_z_close_five_short_needs_a_reason_then_z_numbers_go_on(
    qtbot, screen: DrawerScreen, register: Register
):
    """With the store's limit at $2.00, $5 short is refused without a reason (at the
    default $5.00 exactly $5 would be within it: "more than the limit" needs one)."""
    with screen.db.write() as s:
        save_settings(s, drawer_over_short_limit_cents=200)
    register.reload_settings()
    open_with_float(qtbot, screen)
    dialog = close_with(qtbot, screen, {"bill_2000": 5, "bill_500": 3}, leave="100")  # $115
    assert dialog.counter.total_label.text() == "Counted $115.00"
    assert dialog.over_short_label.text() == "Short $5.00"
    assert dialog.approval_dialog is None  # no manager called over for a close that fails
    assert "short by $5.00, more than the store's $2.00" in dialog.messages.text("reason")
    qtbot.keyClicks(dialog.reason, "A $5 bill given as change twice")
    tap(qtbot, dialog.close_button)
    approve_in(qtbot, dialog.approval_dialog, "Morgan Lee", "2222")
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1)
    assert dialog.z_title.text() == "Closed as Z1: short by $5.00"
    assert "Reason: A $5 bill given as change twice" in dialog.report_view.toPlainText()
    qtbot.waitUntil(lambda: dialog.saved is not None)
    dialog.accept()

    # The next day: the carried float, then Z2.
    assert screen.carry_button.isVisible()
    assert screen.carry_button.text() == "Use carried float $100.00"
    tap(qtbot, screen.carry_button)
    assert screen.session.float_source == "carried" and screen.session.float_cents == 10_000
    second = close_with(qtbot, screen, {"bill_2000": 5})
    approve_in(qtbot, second.approval_dialog, "Sam Okafor", "3333")
    qtbot.waitUntil(lambda: second.pages.currentIndex() == 1)
    assert second.z.z_number == 2 and second.z_title.text().startswith("Closed as Z2")
    qtbot.waitUntil(lambda: second.saved is not None)
    names = sorted(p.name for p in reports_folder(screen.db).iterdir())
    assert names == ["TR1-Z1.csv", "TR1-Z1.pdf", "TR1-Z2.csv", "TR1-Z2.pdf"]


def test_the_float_left_cannot_be_more_than_counted(qtbot, screen: DrawerScreen):
    open_with_float(qtbot, screen)
    tap(qtbot, screen.close_button)
    dialog = screen.close_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.leave.text() == "120.00"  # the session's float, by default
    count(qtbot, dialog.counter, {"bill_2000": 5})
    qtbot.keyClicks(dialog.reason, "Counted twice")
    tap(qtbot, dialog.close_button)
    assert "more than was counted" in dialog.messages.text("leave")
    assert dialog.approval_dialog is None and drawer.current_session(screen.db) is not None


def test_an_unwritable_reports_folder_is_said_and_the_close_stands(qtbot, screen: DrawerScreen):
    open_with_float(qtbot, screen)
    reports_folder(screen.db).write_text("a file where the folder should be")
    dialog = close_with(qtbot, screen, {"bill_2000": 6})
    approve_in(qtbot, dialog.approval_dialog, "Morgan Lee", "2222")
    qtbot.waitUntil(lambda: "could not be saved" in dialog.saved_label.text())
    assert "The drawer is closed all the same" in dialog.saved_label.text()
    assert drawer.current_session(screen.db) is None and dialog.z.z_number == 1


def test_with_the_drawer_required_the_register_says_so_before_asking_for_id(
    qtbot, signed_in, register: Register
):
    """ "Drawer required" on, no drawer open: Pay says to open the drawer, before any ID
    check; a card-only register still takes cards and refuses cash at payment."""
    from tests.ui.test_selling import ring

    window = signed_in
    with window.register.db.write() as s:
        save_settings(s, drawer_required=True)
    window.register.reload_settings()
    ring(qtbot, window, "PN22")
    tap(qtbot, window.selling.pay_button)
    assert window.selling.age_dialog is None and window.selling.payment_dialog is None
    assert "open the drawer" in window.selling.messages.labels["cart"].text()

    with window.register.db.write() as s:
        save_settings(s, card_only_without_drawer=True)
    window.register.reload_settings()
    ring(qtbot, window, "FOOD-OLIVE")
    tap(qtbot, window.selling.pay_button)
    dialog = window.selling.age_dialog
    qtbot.waitUntil(dialog.isVisible)
    tap(qtbot, dialog.dob)
    qtbot.keyClicks(dialog.dob, "05/17/1980")
    qtbot.waitUntil(dialog.check_button.isEnabled)
    tap(qtbot, dialog.check_button)
    qtbot.waitUntil(lambda: window.selling.payment_dialog is not None)
    pay = window.selling.payment_dialog
    pay.add_cash(pay.due_cents())
    tap(qtbot, pay.complete)
    said = [pay.message.text(), *(label.text() for label in pay.messages.labels.values())]
    assert pay.sale is None and any("cash cannot be taken" in text for text in said)
