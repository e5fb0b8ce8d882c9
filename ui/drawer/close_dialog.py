"""Z: the drawer counted by denomination, expected against counted and over or short as
it is counted, a reason when that is beyond the store's limit, the float to leave for the
next session, a manager's sign-off; then the Z report with its number, printed on this
register's printer and saved (CSV and PDF) in the data folder.

The checks before a manager is called over are the engine's own (`close_refusal`), and
`close_session` applies them again. Once it returns, the close is committed: a printer
that does not answer or a folder that cannot be written is said here, and changes
nothing about the close.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tastingroom import entry
from tastingroom.devices.printer import PrinterConfig
from tastingroom.drawer import (
    DrawerSessionInfo,
    ZReport,
    close_refusal,
    close_session,
    expected_cash,
)
from tastingroom.drawer.printout import Printout, SavedZ, save_z, z_printout
from tastingroom.entry import EntryRefused
from tastingroom.money import format_cents
from tastingroom.people.staff import Action, Approval, AuthError, StaffMember
from tastingroom.selling import tabs
from tastingroom.selling.sales import Register
from ui.approval_dialog import ApprovalDialog
from ui.dialog_footer import TOUCH_HEIGHT, dialog_footer
from ui.drawer.count_widget import CountWidget
from ui.drawer.report_print import print_report
from ui.drawer.z_pdf import pdf_bytes
from ui.field_messages import FieldMessages
from ui.worker import Op


def report_font() -> QFont:
    """The reports on screen are in columns, as on paper."""
    return QFont("DejaVu Sans Mono", 11)


def dollars_text(cents: int) -> str:
    """Cents as staff type them back ("180.00")."""
    return format_cents(cents, symbol="").replace(",", "")


class CloseDialog(QDialog):
    sig_closed = Signal(object)
    """The `ZReport`, once the close is committed."""

    def __init__(
        self,
        register: Register,
        session: DrawerSessionInfo,
        staff: StaffMember,
        printer: PrinterConfig,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Close the drawer (Z)")
        self.register, self.session, self.staff, self.printer = register, session, staff, printer
        self.db = register.db
        self.limit_cents = register.settings.drawer_over_short_limit_cents
        self.expected_cents = expected_cash(self.db, session.id)
        self.approval_dialog: ApprovalDialog | None = None
        self.open_tabs = tabs.open_tabs(register, session.id)
        self.carry_tabs: Approval | None = None
        """A manager's approval to carry the open tabs to the next session."""
        self.z: ZReport | None = None
        self.printout: Printout | None = None
        self.saved: SavedZ | None = None

        self.counter = CountWidget()
        self.counter.sig_changed.connect(self._counted)
        self.expected_label = QLabel(
            f"Expected {format_cents(self.expected_cents)}", objectName="total"
        )
        self.over_short_label = QLabel("", objectName="total")
        self.reason = QLineEdit(maxLength=entry.DRAWER_REASON.max_length)
        self.reason.textChanged.connect(lambda _: self._counted(self.counter.total_cents))
        self.leave = QLineEdit(dollars_text(session.float_cents))
        for field in (self.reason, self.leave):
            field.setMinimumHeight(TOUCH_HEIGHT)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.messages = FieldMessages(self.message)
        form = QFormLayout()
        form.addRow("Over/short reason", self.messages.under("reason", self.reason))
        form.addRow("Float to leave", self.messages.under("leave", self.leave))
        figures = QHBoxLayout()
        figures.addWidget(self.expected_label)
        figures.addStretch(1)
        figures.addWidget(self.over_short_label)
        footer, self.close_button = dialog_footer(self, "Close drawer (manager)", self.submit)
        counting = QWidget()
        column = QVBoxLayout(counting)
        if self.open_tabs:
            column.addWidget(self.messages.under("tabs", self._tabs_row()))
        column.addWidget(self.messages.under("count", self.counter))
        column.addLayout(figures)
        column.addLayout(form)
        column.addWidget(self.message)
        column.addLayout(footer)

        self.z_title = QLabel("", objectName="total")
        self.report_view = QPlainTextEdit(readOnly=True)
        self.report_view.setFont(report_font())
        self.report_view.setMinimumWidth(460)
        self.status = QLabel("", objectName="notice")
        self.status.setWordWrap(True)
        self.saved_label = QLabel("", objectName="hint")
        self.saved_label.setWordWrap(True)
        self.print_button = QPushButton("Print again")
        self.print_button.clicked.connect(self.print_z)
        self.save_button = QPushButton("Save again")
        self.save_button.clicked.connect(self.save_files)
        self.done_button = done = QPushButton("Done", objectName="payButton")
        done.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.print_button, self.save_button, done):
            button.setMinimumHeight(TOUCH_HEIGHT)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(done)
        closed = QWidget()
        report = QVBoxLayout(closed)
        report.addWidget(self.z_title)
        report.addWidget(self.report_view, 1)
        report.addWidget(self.status)
        report.addWidget(self.saved_label)
        report.addLayout(buttons)

        self.pages = QStackedWidget()
        self.pages.addWidget(counting)
        self.pages.addWidget(closed)
        QVBoxLayout(self).addWidget(self.pages)
        self._counted(self.counter.total_cents)

    # --- open tabs ------------------------------------------------------------------

    def _tabs_row(self) -> QHBoxLayout:
        """The session's open tabs, and the way to close with them still open."""
        listed = ", ".join(f"{t.name} ({format_cents(t.total_cents)})" for t in self.open_tabs)
        self.tabs_label = QLabel(f"Open tabs: {listed}")
        self.tabs_label.setWordWrap(True)
        self.carry_button = QPushButton("Carry tabs to next session…", objectName="lineButton")
        self.carry_button.setMinimumHeight(TOUCH_HEIGHT)
        self.carry_button.clicked.connect(self.carry)
        row = QHBoxLayout()
        row.addWidget(self.tabs_label, 1)
        row.addWidget(self.carry_button)
        return row

    def carry(self) -> None:
        names = ", ".join(t.name for t in self.open_tabs)
        self.approval_dialog = dialog = ApprovalDialog(
            self.db, Action.CARRY_TABS, self.staff, f"carry to the next session: {names}", self
        )
        dialog.accepted.connect(partial(self._carried, dialog))
        dialog.open()

    def _carried(self, dialog: ApprovalDialog) -> None:
        self.carry_tabs = dialog.approval
        self.carry_button.setEnabled(False)
        self.carry_button.setText(f"Carried ({dialog.manager.name})")
        self.messages.clear()

    # --- counting -------------------------------------------------------------------

    def _counted(self, total: int) -> None:
        """Over or short, live; and whether a reason will be needed."""
        over_short = total - self.expected_cents
        word = "Over" if over_short > 0 else "Short" if over_short < 0 else "Exact"
        shown = format_cents(abs(over_short)) if over_short else ""
        self.over_short_label.setText(f"{word} {shown}".rstrip())
        beyond = abs(over_short) > self.limit_cents
        self.reason.setPlaceholderText(
            f"Needed: more than {format_cents(self.limit_cents)} over or short"
            if beyond
            else "Optional"
        )

    def submit(self) -> None:
        try:
            count = self.counter.count()
        except EntryRefused as exc:
            self.messages.show(exc, "count")
            return
        try:
            leave = entry.dollars(self.leave.text(), entry.DRAWER_AMOUNT)
        except EntryRefused as exc:
            self.messages.show(exc, "leave")
            return
        refusal = close_refusal(
            count.total_cents, self.expected_cents, leave, self.limit_cents, self.reason.text()
        )
        if refusal is not None:
            self.messages.show(refusal)
            return
        self.messages.clear()
        detail = (
            f"close the drawer: counted {format_cents(count.total_cents)}, "
            f"expected {format_cents(self.expected_cents)}"
        )
        self.approval_dialog = ApprovalDialog(
            self.db, Action.CLOSE_DRAWER, self.staff, detail, self
        )
        self.approval_dialog.accepted.connect(partial(self._close, count, leave))
        self.approval_dialog.open()

    def _close(self, count, leave: int) -> None:
        try:
            z = close_session(
                self.db,
                self.session.id,
                self.staff,
                count,
                leave,
                self.approval_dialog.approval,
                self.reason.text(),
                carry_tabs=self.carry_tabs,
            )
        except EntryRefused as exc:  # DrawerError is one
            self.messages.show(exc)
            return
        except AuthError as exc:
            self.messages.say(str(exc))
            return
        self.z = z
        self.printout = z_printout(self.db, self.session.id)
        self.z_title.setText(f"Closed as {z.label}: {self._over_short_words(z.over_short_cents)}")
        self.report_view.setPlainText(self.printout.text)
        self.pages.setCurrentIndex(1)
        self.sig_closed.emit(z)
        self.print_z()
        self.save_files()

    @staticmethod
    def _over_short_words(cents: int) -> str:
        if cents == 0:
            return "the drawer is exactly right"
        return f"{'over' if cents > 0 else 'short'} by {format_cents(abs(cents))}"

    # --- after the close ----------------------------------------------------------------

    def print_z(self) -> None:
        if self.printout is not None:
            print_report(self.printer, self.printout, self, self.status.setText)

    def save_files(self) -> None:
        """CSV and PDF into the data folder's reports/, written on the worker."""
        if self.printout is None:
            return
        document = pdf_bytes(self.printout.lines, f"Z report {self.printout.title}")
        self.saved_label.setText("Saving the report…")
        Op(
            work=partial(save_z, self.db, self.session.id, lambda _lines: document),
            on_done=self._saved,
            on_failed=lambda exc: self.saved_label.setText(str(exc)),
            parent=self,
        ).run()

    def _saved(self, saved: SavedZ) -> None:
        self.saved = saved
        self.saved_label.setText(
            f"Saved as {saved.csv.name} and {saved.pdf.name} in {saved.csv.parent}"
        )
