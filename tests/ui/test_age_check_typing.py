"""The ID check driven like a person and like a 2D scanner in keyboard-wedge mode.

A person clicks into the date field and types at once (no Tab first); the check cannot
be passed without a whole date typed. A scanner types a licence into whatever has focus,
its line breaks as Enter, CR LF or Tab: no part of it appears in a field or a message,
and its Tabs do not move focus."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import text

from tastingroom.entry import BIRTH_DATE
from tests.engine.test_licence_variants import CARDS, VARIANTS, aamva
from ui.age_check_dialog import AgeCheckDialog
from ui.main_window import MainWindow

from .test_selling import ring

CALIFORNIA = CARDS[0]
NEW_YORK = CARDS[1]
ONTARIO = CARDS[4]


def open_check(qtbot, window: MainWindow, *codes: str) -> AgeCheckDialog:
    ring(qtbot, window, *(codes or ("PN22",)))
    qtbot.mouseClick(window.selling.pay_button, Qt.MouseButton.LeftButton)
    dialog = window.selling.age_dialog
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def type_date(qtbot, dialog: AgeCheckDialog, text: str) -> None:
    """Click into the date field and type, the way a person does: no Tab first."""
    qtbot.mouseClick(dialog.dob, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.dob, text)
    qtbot.waitUntil(lambda: dialog.dob.text() == text)


def focused(fallback: QWidget) -> QWidget:
    return QApplication.focusWidget() or fallback


def scanner_types(qtbot, text: str, fallback: QWidget, after_each=None) -> None:
    """Key presses as a wedge scanner makes them, into whatever has focus right then:
    Enter for CR and LF, Tab for Tab; other control characters it cannot type."""
    for char in text:
        target = focused(fallback)
        if char in "\r\n":
            qtbot.keyClick(target, Qt.Key.Key_Return)
        elif char == "\t":
            qtbot.keyClick(target, Qt.Key.Key_Tab)
        elif ord(char) >= 32:
            qtbot.keyClick(target, char)
        if after_each is not None:
            after_each()


def test_the_date_field_starts_empty_and_the_check_cannot_be_skipped(qtbot, signed_in: MainWindow):
    dialog = open_check(qtbot, signed_in)
    assert dialog.dob.text() == "" and dialog.dob.placeholderText() == "MM/DD/YYYY"
    assert not dialog.check_button.isEnabled()
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.dob, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog.dob, Qt.Key.Key_Return)
    assert dialog.result is None and dialog.isVisible() and signed_in.selling.payment_dialog is None
    assert "MM/DD/YYYY" in dialog.messages.text(BIRTH_DATE)


@pytest.mark.parametrize("typed", ["03141979", "3/14/1979", "03-14-1979"])
def test_typed_digits_count_at_once_with_or_without_separators(
    qtbot, signed_in: MainWindow, typed: str
):
    window = signed_in
    dialog = open_check(qtbot, window)
    type_date(qtbot, dialog, typed)
    assert dialog.check_button.isEnabled()
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert dialog.result is not None and dialog.result.passed
    assert dialog.result.method.value == "typed_dob"
    today = date.today()
    assert dialog.result.age_years == today.year - 1979 - ((today.month, today.day) < (3, 14))
    qtbot.waitUntil(
        lambda: (
            window.selling.payment_dialog is not None and window.selling.payment_dialog.isVisible()
        )
    )


@pytest.mark.parametrize("typed", ["0314197", "3/14/79", "02/30/1990", "13/01/1990"])
def test_the_button_stays_off_until_a_whole_date_is_typed(qtbot, signed_in: MainWindow, typed: str):
    dialog = open_check(qtbot, signed_in)
    type_date(qtbot, dialog, typed)
    assert not dialog.check_button.isEnabled()
    qtbot.keyClick(dialog.dob, Qt.Key.Key_Return)
    assert dialog.result is None and dialog.messages.text(BIRTH_DATE)


def test_the_visual_check_is_stated_on_the_receipt_and_the_orders_screen(
    qtbot, signed_in: MainWindow
):
    window = signed_in
    dialog = open_check(qtbot, window, "CS21")
    assert window.register.settings.visual_check_over_age == 40
    qtbot.mouseClick(dialog.visual_button, Qt.MouseButton.LeftButton)
    pay = window.selling.payment_dialog
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible())
    qtbot.mouseClick(pay.quick_row.itemAt(0).widget(), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pay.complete, Qt.MouseButton.LeftButton)
    assert "Age checked: Visibly over 40 (no ID)" in pay.receipt_shown
    assert "ID checked" not in pay.receipt_shown and "ID scanned" not in pay.receipt_shown
    pay.accept()
    qtbot.mouseClick(window.nav["Orders"], Qt.MouseButton.LeftButton)
    screen = window.orders
    headers = [
        screen.model.headerData(c, Qt.Orientation.Horizontal)
        for c in range(screen.model.columnCount())
    ]
    column = headers.index("Age check")
    assert screen.model.index(0, column).data() == "Visibly over 40 (no ID)"


@pytest.mark.parametrize(
    "variant",
    [
        "line feeds as Tab",
        "line feeds as CR LF",
        "every control character dropped",
        "AIM prefix ]L2",
        "@ then a space",
        "suffix <CR><LF>",
    ],
)
@pytest.mark.parametrize("card", [CALIFORNIA, ONTARIO], ids=["California", "Ontario"])
def test_a_licence_typed_into_the_date_field_is_read_and_never_shown(
    qtbot, signed_in: MainWindow, card, variant: str
):
    window = signed_in
    dialog = open_check(qtbot, window)
    qtbot.mouseClick(dialog.dob, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.dob.hasFocus)

    def nothing_shows() -> None:
        assert dialog.dob.text() == "" and dialog.scan_field.text() == ""
        assert dialog.dob.hasFocus()  # a Tab in the barcode never moves focus
        assert card.licence_number not in dialog.message.text()

    scanner_types(qtbot, VARIANTS[variant](card.text), dialog.dob, nothing_shows)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=3_000)
    assert dialog.result.passed and dialog.result.method.value == "id_scan"
    assert dialog.dob.text() == ""
    qtbot.waitUntil(
        lambda: (
            window.selling.payment_dialog is not None and window.selling.payment_dialog.isVisible()
        )
    )
    pay = window.selling.payment_dialog
    qtbot.mouseClick(pay.quick_row.itemAt(0).widget(), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pay.complete, Qt.MouseButton.LeftButton)
    assert "Age checked: ID scanned" in pay.receipt_shown


def test_an_unreadable_licence_is_refused_and_the_typed_date_offered(qtbot, signed_in: MainWindow):
    dialog = open_check(qtbot, signed_in)
    no_expiry = aamva("636014", 9, [("DL", ["DAQD7654321", "DCSOKAFOR", "DBB07041975"])])
    qtbot.mouseClick(dialog.scan_field, Qt.MouseButton.LeftButton)
    scanner_types(qtbot, no_expiry, dialog.scan_field)
    qtbot.waitUntil(lambda: dialog.messages.text(BIRTH_DATE) != "", timeout=3_000)
    assert "expiry date could not be read" in dialog.messages.text(BIRTH_DATE)
    assert "D7654321" not in dialog.messages.text(BIRTH_DATE)
    assert dialog.result is None and dialog.dob.hasFocus() and dialog.scan_field.text() == ""
    type_date(qtbot, dialog, "07/04/1975")
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert dialog.result.passed and dialog.result.method.value == "typed_dob"


@pytest.mark.parametrize("variant", ["line feeds as CR", "every control character dropped"])
def test_a_licence_scanned_at_the_register_never_shows_even_when_the_scanner_stalls(
    qtbot, signed_in: MainWindow, variant: str
):
    """Today's bug: the licence-number line flashed as "No product has the code ...". A
    stall longer than a licence may pause cuts the burst in two; neither half shows."""
    window = signed_in
    window.selling.search.setFocus()
    qtbot.waitUntil(window.selling.search.hasFocus)
    text = VARIANTS[variant](NEW_YORK.text)
    half = text.index("DAQ")

    def nothing_shows() -> None:
        assert window.selling.search.text() == ""
        assert NEW_YORK.licence_number not in window.selling.notice.text()
        assert window.selling.search.hasFocus()

    scanner_types(qtbot, text[:half], window.selling.search, nothing_shows)
    qtbot.wait(int(window.scanner.detector.licence_gap_ms) + 150)  # the scanner stalls
    nothing_shows()
    scanner_types(qtbot, text[half:], window.selling.search, nothing_shows)
    qtbot.wait(int(window.scanner.detector.licence_gap_ms) + 150)
    nothing_shows()
    assert "licence" in window.selling.notice.text()
    assert window.selling.table.rowCount() == 0


def test_a_whole_licence_at_the_register_points_to_pay(qtbot, signed_in: MainWindow):
    window = signed_in
    window.selling.search.setFocus()
    qtbot.waitUntil(window.selling.search.hasFocus)
    scanner_types(qtbot, VARIANTS["line feeds as Tab"](CALIFORNIA.text), window.selling.search)
    qtbot.waitUntil(lambda: "press Pay to check ID" in window.selling.notice.text(), timeout=3_000)
    assert window.selling.search.text() == "" and window.selling.search.hasFocus()


def test_a_refused_guest_is_counted_in_the_day_report(qtbot, signed_in):
    """A refusal is kept (no order, nothing from the licence), so the day's report
    shows checks refused beside checks made; the guest still cannot be sold to."""
    from tastingroom.reports.day import day_report
    from tastingroom.selling.age import store_today

    window = signed_in
    dialog = open_check(qtbot, window)
    today = store_today(window.register.settings)
    born = date(today.year - 17, 1, 1)  # seventeen since New Year's Day
    type_date(qtbot, dialog, born.strftime("%m/%d/%Y"))
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and window.selling.payment_dialog is None
    qtbot.waitUntil(lambda: day_report(window.register.db, today).age_checks_refused == 1)
    with window.register.db.read() as s:
        kept = s.execute(text("SELECT order_id, passed, age_years FROM age_check")).all()
    assert kept == [(None, 0, 17)]  # SQLite keeps False as 0
