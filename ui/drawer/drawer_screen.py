"""The cash drawer, for the register it runs on: open it with a counted float (or the
float the last close left), then through the day see expected cash and every movement,
record paid-ins, paid-outs and drops, open it without a sale, read or print the X report,
and close it (Z).

Rules are the engine's (`tastingroom.drawer`): who needs a manager, what needs a reason,
what the drawer can give. A refusal shows here as a message; nothing is changed then.
The drawer pulse and the printouts go to this register's own printer, on the worker
(`ui.worker`). The screen stands alone: the window that holds it gives it the register,
who is signed in (`staff_getter`) and the printer as set up now (`printer_getter`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tastingroom.devices.printer import PrinterConfig, send
from tastingroom.devices.receipt import drawer_kick
from tastingroom.drawer import (
    DrawerError,
    DrawerSessionInfo,
    MovementInfo,
    MovementKind,
    ZReport,
    carried_float,
    current_session,
    expected_cash,
    movements,
    no_sale,
    open_session,
)
from tastingroom.drawer.printout import Printout, x_printout
from tastingroom.entry import EntryRefused
from tastingroom.localtime import clock, stamp
from tastingroom.money import format_cents
from tastingroom.people.staff import Action, AuthError, StaffMember
from tastingroom.selling.sales import Register
from ui.approval_dialog import ApprovalDialog
from ui.drawer.close_dialog import CloseDialog, report_font
from ui.drawer.count_widget import CountWidget
from ui.drawer.movement_dialog import MovementDialog
from ui.drawer.report_print import print_report
from ui.receipt_view import problem_of
from ui.worker import Op

ACTION_HEIGHT = 56


def _button(text: str, handler: Callable[[], None], name: str = "") -> QPushButton:
    button = QPushButton(text, objectName=name)
    button.setMinimumHeight(ACTION_HEIGHT)
    button.clicked.connect(handler)
    return button


class DrawerScreen(QWidget):
    sig_session_changed = Signal()
    """The drawer was opened or closed (the window may show it in its status line)."""

    def __init__(
        self,
        register: Register,
        staff_getter: Callable[[], StaffMember | None],
        printer_getter: Callable[[], PrinterConfig],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, objectName="register")
        self.register, self.db = register, register.db
        self.current_staff, self.current_printer = staff_getter, printer_getter
        self.session: DrawerSessionInfo | None = None
        self.approval_dialog: ApprovalDialog | None = None
        self.movement_dialog: MovementDialog | None = None
        self.close_dialog: CloseDialog | None = None
        self.x: Printout | None = None

        self.title = QLabel("", objectName="storeName")
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)

        # Closed: count the float, or take the one the last close left.
        self.counter = CountWidget()
        self.counter.sig_changed.connect(self._float_counted)
        self.open_button = _button("Open drawer", self.open_counted, "payButton")
        self.carry_button = _button("", self.open_carried)
        closed = QWidget()
        closed_column = QVBoxLayout(closed)
        closed_column.addWidget(
            QLabel("Count the float into the drawer, or use what the last close left.")
        )
        closed_column.addWidget(self.counter)
        opening = QHBoxLayout()
        opening.addWidget(self.carry_button)
        opening.addStretch(1)
        opening.addWidget(self.open_button)
        closed_column.addLayout(opening)
        closed_column.addStretch(1)

        # Open: where the cash stands, and what to do with it.
        self.expected_label = QLabel("", objectName="total")
        self.session_label = QLabel("", objectName="hint")
        self.session_label.setWordWrap(True)
        self.movement_list = QListWidget()
        self.x_view = QPlainTextEdit(readOnly=True)
        self.x_view.setFont(report_font())
        self.x_view.setMinimumWidth(440)
        self.x_view.setVisible(False)
        self.print_x_button = _button("Print X report", self.print_x)
        self.print_x_button.setVisible(False)
        self.paid_in_button = _button("Paid in…", partial(self.movement, MovementKind.PAID_IN))
        self.paid_out_button = _button("Paid out…", partial(self.movement, MovementKind.PAID_OUT))
        self.drop_button = _button("Drop to safe…", partial(self.movement, MovementKind.DROP))
        self.no_sale_button = _button("No sale", self.no_sale)
        self.x_button = _button("X report", self.show_x)
        self.close_button = _button("Close drawer (Z)…", self.close_drawer, "payButton")
        actions = QGridLayout()
        for index, button in enumerate(
            (
                self.paid_in_button,
                self.paid_out_button,
                self.drop_button,
                self.no_sale_button,
                self.x_button,
                self.close_button,
            )
        ):
            actions.addWidget(button, index // 3, index % 3)
        opened = QWidget()
        opened_grid = QGridLayout(opened)
        opened_grid.addWidget(self.expected_label, 0, 0)
        opened_grid.addWidget(self.session_label, 1, 0)
        opened_grid.addWidget(QLabel("Movements"), 2, 0)
        opened_grid.addWidget(self.movement_list, 3, 0)
        x_column = QVBoxLayout()
        x_column.addWidget(self.x_view, 1)
        x_column.addWidget(self.print_x_button)
        opened_grid.addLayout(x_column, 0, 1, 4, 1)
        opened_grid.addLayout(actions, 4, 0, 1, 2)
        opened_grid.setColumnStretch(0, 1)
        opened_grid.setRowStretch(3, 1)

        self.pages = QStackedWidget()
        self.pages.addWidget(closed)
        self.pages.addWidget(opened)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        self.reload()

    # --- what the drawer holds ----------------------------------------------------------

    @property
    def zone(self) -> str:
        return self.register.settings.timezone

    def reload(self) -> None:
        """Show the drawer as the engine has it now (after a restart too)."""
        self.session = current_session(self.db)
        terminal = self.register.settings.terminal_prefix
        if self.session is None:
            self.title.setText(f"Cash drawer · {terminal} · closed")
            carried = carried_float(self.db)
            self.carry_button.setVisible(carried is not None)
            if carried is not None:
                self.carry_button.setText(f"Use carried float {format_cents(carried)}")
            self._float_counted(self.counter.total_cents)
            self.pages.setCurrentIndex(0)
            return
        self.title.setText(f"Cash drawer · {terminal} · open")
        self.expected_label.setText(
            f"Expected in drawer {format_cents(expected_cash(self.db, self.session.id))}"
        )
        how = "carried from the last close" if self.session.float_source == "carried" else "counted"
        self.session_label.setText(
            f"Opened {stamp(self.session.opened_at, self.zone)} with a float of "
            f"{format_cents(self.session.float_cents)} ({how})."
        )
        self.movement_list.clear()
        for m in movements(self.db, self.session.id):
            self.movement_list.addItem(self._movement_row(m))
        self.movement_list.scrollToBottom()
        if self.x_view.isVisible():
            self.show_x()
        self.pages.setCurrentIndex(1)

    def _movement_row(self, m: MovementInfo) -> str:
        amount = format_cents(m.amount_cents) if m.kind is not MovementKind.NO_SALE else ""
        parts = [clock(m.at, self.zone), m.kind.label, amount, m.reason or ""]
        return "  ".join(p for p in parts if p)

    def _float_counted(self, total: int) -> None:
        self.open_button.setText(f"Open drawer with {format_cents(total)}")
        self.open_button.setEnabled(total > 0)

    def _staff(self) -> StaffMember | None:
        staff = self.current_staff()
        if staff is None:
            self.message.setText("Sign in first.")
        return staff

    def _refused(self, exc: Exception) -> None:
        self.message.setText(str(exc))

    # --- opening ------------------------------------------------------------------------

    def open_counted(self) -> None:
        staff = self._staff()
        if staff is None:
            return
        try:
            self.session = open_session(self.db, staff, self.counter.count())
        except EntryRefused as exc:
            self._refused(exc)
            return
        self._opened()

    def open_carried(self) -> None:
        staff = self._staff()
        if staff is None:
            return
        try:
            self.session = open_session(self.db, staff, carry=True)
        except DrawerError as exc:
            self._refused(exc)
            return
        self._opened()

    def _opened(self) -> None:
        assert self.session is not None
        self.counter.clear()
        self.message.setText(f"Drawer open with {format_cents(self.session.float_cents)}.")
        self.reload()
        self.sig_session_changed.emit()

    # --- during the day -----------------------------------------------------------------

    def movement(self, kind: MovementKind) -> None:
        staff = self._staff()
        if staff is None:
            return
        self.movement_dialog = MovementDialog(self.db, staff, kind, self)
        self.movement_dialog.accepted.connect(partial(self._moved, kind))
        self.movement_dialog.open()

    def _moved(self, kind: MovementKind) -> None:
        cents = self.movement_dialog.amount_cents
        self.message.setText(f"Recorded: {kind.label} of {format_cents(cents)}.")
        self.reload()

    def no_sale(self) -> None:
        staff = self._staff()
        if staff is None:
            return
        self.approval_dialog = ApprovalDialog(
            self.db, Action.NO_SALE, staff, "open the cash drawer without a sale", self
        )
        self.approval_dialog.accepted.connect(partial(self._no_sale_approved, staff))
        self.approval_dialog.open()

    def _no_sale_approved(self, staff: StaffMember) -> None:
        try:
            no_sale(self.db, staff, self.approval_dialog.approval)
        except (DrawerError, AuthError) as exc:
            self._refused(exc)
            return
        self.reload()
        printer = self.current_printer()
        if printer.kind == "none":
            self.message.setText(
                "No-sale recorded. No printer is set up to open the drawer: use its key."
            )
            return
        self.message.setText("No-sale recorded; opening the drawer…")
        Op(
            work=partial(send, printer, drawer_kick()),
            on_done=lambda _: self.message.setText("No-sale recorded; the drawer is open."),
            on_failed=lambda exc: self.message.setText(
                f"No-sale recorded, but the drawer did not open: {problem_of(exc)}. "
                "Open it with its key."
            ),
            parent=self,
        ).run()

    def show_x(self) -> None:
        try:
            self.x = x_printout(self.db)
        except DrawerError as exc:
            self._refused(exc)
            return
        self.x_view.setPlainText(self.x.text)
        self.x_view.setVisible(True)
        self.print_x_button.setVisible(True)

    def print_x(self) -> None:
        if self.x is not None:
            print_report(self.current_printer(), self.x, self, self.message.setText)

    # --- closing ------------------------------------------------------------------------

    def close_drawer(self) -> None:
        staff = self._staff()
        if staff is None or self.session is None:
            return
        self.close_dialog = CloseDialog(
            self.register, self.session, staff, self.current_printer(), self
        )
        self.close_dialog.sig_closed.connect(self._closed)
        self.close_dialog.open()

    def _closed(self, z: ZReport) -> None:
        self.x = None
        self.x_view.setVisible(False)
        self.print_x_button.setVisible(False)
        self.message.setText(
            f"Closed as {z.label}; {format_cents(z.carried_float_cents)} left for the next session."
        )
        self.reload()
        self.sig_session_changed.emit()
