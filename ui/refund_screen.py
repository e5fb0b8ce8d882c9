"""Refunds and exchanges at the register: find the sale, choose what comes back, give the
money back the way the guest paid, print the refund receipt.

Every rule is the engine's (`tastingroom.selling.refunds`): what can come back (never
more than was sold less earlier returns), what it is worth (the prices charged), where the
money may go, which approvals a refund needs. This screen collects the choices, shows the
engine's quote as they change, and says in plain words what the engine refuses.

Finding the sale: a receipt's barcode holds its order number, so scanning it and typing
the number are one search. The shell routes a scan here while this screen is showing
(`take_scan`, as `RegisterScreen.take_scan` for products). Or search by customer.

"Exchange…" takes the chosen returns, approved, to the selling screen as exchange credit
(`ui.exchange_credit`): the new items are rung there and paid there, and the return and
the sale are committed together.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tastingroom.devices.printer import PrinterConfig, send
from tastingroom.devices.receipt import build_receipt, drawer_kick
from tastingroom.entry import EntryRefused, search_text
from tastingroom.localtime import stamp
from tastingroom.money import format_cents
from tastingroom.people.staff import Action, Approval, AuthError, StaffMember
from tastingroom.selling.idscan import looks_like_id_scan, looks_like_licence_part
from tastingroom.selling.refunds import (
    CommittedRefund,
    Disposition,
    Original,
    PaidTender,
    RefundQuote,
    ReturnLine,
    check_tenders,
    commit_refund,
    find_original,
    load_original,
    quote_refund,
    search_originals,
)
from tastingroom.selling.sales import Register
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.store.order_search import MIN_QUERY
from ui.approval_dialog import ApprovalDialog
from ui.exchange_credit import ExchangeCredit
from ui.field_messages import FieldMessages
from ui.receipt_view import print_or_show, problem_of, show
from ui.worker import Op

TOUCH = 44
"""The least height (and width, for the steppers) a finger hits reliably."""
COLUMNS = ("Item", "Sold", "Returned", "Return now", "Condition", "Refund")
AS_PAID, ALL_CASH = "As the guest paid", "All in cash"
"""Where the money goes: back to the original tenders (the default), or all as cash
(a manager approves when the guest did not pay in cash)."""
NUMBER = "number"
"""The field `refunds.find_original` refusals are about."""


class ReturnStepper(QWidget):
    """−, how many come back now, +: never below none nor above what is still out."""

    sig_changed = Signal()

    def __init__(self, returnable: int) -> None:
        super().__init__()
        self.returnable = returnable
        self.count = 0
        self.fewer = QPushButton("−", objectName="lineButton")
        self.more = QPushButton("+", objectName="lineButton")
        self.shown = QLabel("0", alignment=Qt.AlignmentFlag.AlignCenter)
        self.shown.setMinimumWidth(32)
        row = QHBoxLayout(self)
        row.setContentsMargins(2, 2, 2, 2)
        for button, step in ((self.fewer, -1), (self.more, +1)):
            button.setFixedSize(TOUCH, TOUCH)
            button.clicked.connect(lambda _=False, s=step: self.step(s))
        row.addWidget(self.fewer)
        row.addWidget(self.shown)
        row.addWidget(self.more)
        self._show()

    def step(self, by: int) -> None:
        self.count = min(max(self.count + by, 0), self.returnable)
        self._show()
        self.sig_changed.emit()

    def _show(self) -> None:
        self.shown.setText(str(self.count))
        self.fewer.setEnabled(self.count > 0)
        self.more.setEnabled(self.count < self.returnable)


class RefundScreen(QWidget):
    sig_exchange = Signal(object)
    """An `ExchangeCredit`: the shell takes it to the selling screen."""
    sig_refunded = Signal()
    """A refund was committed: the status bar and sync should know."""

    def __init__(
        self,
        register: Register,
        staff: Callable[[], StaffMember | None],
        printer: Callable[[], PrinterConfig],
    ) -> None:
        """`staff`: who is signed in now; `printer`: where receipts go now (the shell
        knows both, and both change)."""
        super().__init__(objectName="register")
        self.register = register
        self._staff = staff
        self._printer = printer
        self.original: Original | None = None
        self.steppers: dict[int, ReturnStepper] = {}
        self.conditions: dict[int, QPushButton] = {}
        self.tender_rows: dict[tuple, tuple[QWidget, QLabel, QLineEdit | None]] = {}
        self._paid: dict[tuple, PaidTender] = {}
        self.approval_dialog: ApprovalDialog | None = None
        self.last_refund: CommittedRefund | None = None
        self.receipt_shown = ""

        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.messages = FieldMessages(self.message)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(16)
        layout.addLayout(self._build_find(), 3)  # room for a receipt's 42 columns
        layout.addLayout(self._build_return(), 5)
        self.clear()

    @property
    def staff(self) -> StaffMember | None:
        return self._staff()

    # --- finding the sale ---------------------------------------------------------------

    def _build_find(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.number = QLineEdit(placeholderText="Scan the receipt or type its number")
        self.number.setMinimumHeight(TOUCH)
        self.number.returnPressed.connect(self.find)
        find = QPushButton("Find", objectName="lineButton")
        find.setMinimumHeight(TOUCH)
        find.clicked.connect(self.find)
        number_row = QHBoxLayout()
        number_row.addWidget(self.number, 1)
        number_row.addWidget(find)
        self.customer = QLineEdit(placeholderText="Or search by customer name or email")
        self.customer.setMinimumHeight(TOUCH)
        self.customer.returnPressed.connect(self.search_customer)
        self.results = QListWidget()
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.itemClicked.connect(self._result_chosen)
        self.results.itemActivated.connect(self._result_chosen)
        self.receipt_view = QPlainTextEdit(readOnly=True)
        self.receipt_view.setFont(QFont("DejaVu Sans Mono"))
        self.receipt_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.receipt_view.setVisible(False)
        column.addWidget(QLabel("Find the sale", objectName="storeName"))
        column.addWidget(self.messages.under(NUMBER, number_row))
        column.addWidget(self.customer)
        column.addWidget(self.results, 1)
        column.addWidget(self.receipt_view, 2)
        return column

    def showEvent(self, event: QShowEvent) -> None:
        """Ready for a receipt to be scanned or typed."""
        super().showEvent(event)
        self.number.setFocus()

    def take_scan(self, code: str) -> None:
        """A scan while this screen shows: a receipt's barcode (its order number). A
        licence is never shown: it holds the licence number."""
        if looks_like_id_scan(code) or looks_like_licence_part(code):
            self.messages.say("That was a licence, not a receipt. Scan the receipt's barcode.")
            return
        self.number.setText(code.strip())
        self.find()

    def find(self) -> None:
        try:
            original = find_original(self.register.db, self.number.text())
        except EntryRefused as exc:
            self.messages.show(exc, NUMBER)
            return
        self.show_original(original)

    def search_customer(self) -> None:
        """This register's completed sales for the customer typed, newest first."""
        self.results.clear()
        if len(search_text(self.customer.text())) < MIN_QUERY:
            self.messages.say(f"Type {MIN_QUERY} or more letters of the guest's name or email.")
            return
        rows = search_originals(self.register.db, self.customer.text())
        if not rows:
            self.messages.say(f"No sale here matches “{self.customer.text().strip()}”.")
            return
        self.messages.clear()
        zone = self.register.settings.timezone
        for row in rows:
            label = f"{row.number}   {stamp(row.created_at, zone)}\n{row.customer}   "
            item = QListWidgetItem(label + format_cents(row.total_cents))
            item.setData(Qt.ItemDataRole.UserRole, row.order_id)
            self.results.addItem(item)

    def _result_chosen(self, item: QListWidgetItem) -> None:
        self.open_order(item.data(Qt.ItemDataRole.UserRole))

    def open_order(self, order_id: str) -> None:
        """Start a refund of `order_id` (the orders screen's "Refund…")."""
        try:
            original = load_original(self.register.db, order_id)
        except EntryRefused as exc:
            self.clear()
            self.messages.show(exc, NUMBER)
            return
        self.number.setText(original.number)
        self.show_original(original)

    # --- what comes back ----------------------------------------------------------------

    def _build_return(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.heading = QLabel("")
        self.heading.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.quote_label = QLabel("")
        self.quote_label.setWordWrap(True)
        self.total = QLabel("", objectName="total")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.way = QComboBox()
        self.way.addItems([AS_PAID, ALL_CASH])
        self.way.setMinimumHeight(TOUCH)
        self.way.currentTextChanged.connect(self.refresh)
        way_row = QHBoxLayout()
        way_row.addWidget(QLabel("Money back:"))
        way_row.addWidget(self.way)
        way_row.addStretch(1)
        self.tenders_box = QWidget()
        self.tenders_grid = QGridLayout(self.tenders_box)
        self.tenders_grid.setContentsMargins(0, 0, 0, 0)
        self.clear_button = QPushButton("Start again", objectName="lineButton")
        self.clear_button.clicked.connect(self.clear)
        self.exchange_button = QPushButton("Exchange…", objectName="lineButton")
        self.exchange_button.clicked.connect(self.exchange)
        self.refund_button = QPushButton("Refund", objectName="payButton")
        self.refund_button.clicked.connect(self.refund)
        for button in (self.clear_button, self.exchange_button):
            button.setMinimumHeight(TOUCH)
        self.refund_button.setMinimumSize(160, 56)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.exchange_button)
        buttons.addWidget(self.refund_button)
        column.addWidget(self.heading)
        column.addWidget(self.table, 1)
        column.addWidget(self.quote_label)
        column.addWidget(self.total)
        column.addLayout(way_row)
        column.addWidget(self.tenders_box)
        column.addWidget(self.message)
        column.addLayout(buttons)
        return column

    def clear(self) -> None:
        """Nothing chosen: ready for the next receipt (the last refund's receipt stays)."""
        self.original = None
        self.steppers.clear()
        self.conditions.clear()
        self.table.setRowCount(0)
        self._tender_rows(None)
        self.heading.setText("Scan a receipt, type its number, or find the guest's sale.")
        self.refresh()

    def show_original(self, original: Original) -> None:
        """The sale's lines, each with what was sold, what came back already, and how
        many come back now (none yet), restocked unless marked damaged."""
        self.messages.clear()
        self.original = original
        zone = self.register.settings.timezone
        paid = ", ".join(p.describe() for p in original.tenders) or "nothing"
        self.heading.setText(
            f"Order {original.number} · {stamp(original.created_at, zone)} · "
            f"{format_cents(original.total_cents)} paid by {paid}"
        )
        self.steppers.clear()
        self.conditions.clear()
        self.table.setRowCount(len(original.lines))
        for row, line in enumerate(original.lines):
            texts = (line.name, str(line.quantity), str(line.returned))
            for col, text in enumerate(texts):
                self.table.setItem(row, col, QTableWidgetItem(text))
            stepper = ReturnStepper(line.returnable)
            stepper.sig_changed.connect(self.refresh)
            condition = QPushButton("Restock", objectName="lineButton", checkable=True)
            condition.setMinimumHeight(TOUCH)
            condition.toggled.connect(partial(self._condition_toggled, condition))
            self.table.setCellWidget(row, 3, stepper)
            self.table.setCellWidget(row, 4, condition)
            self.table.setItem(row, 5, QTableWidgetItem(""))
            self.table.setRowHeight(row, TOUCH + 8)
            self.steppers[line.line_no] = stepper
            self.conditions[line.line_no] = condition
        if original.fully_returned:
            self.messages.say(f"Everything on {original.number} has come back already.")
        self._tender_rows(original)
        self.refresh()

    def _condition_toggled(self, button: QPushButton, damaged: bool) -> None:
        button.setText("Damaged" if damaged else "Restock")
        self.refresh()

    def returns(self) -> list[ReturnLine]:
        """What is chosen to come back now."""
        return [
            ReturnLine(
                line_no,
                stepper.count,
                Disposition.DAMAGED
                if self.conditions[line_no].isChecked()
                else Disposition.RESTOCK,
            )
            for line_no, stepper in self.steppers.items()
            if stepper.count
        ]

    def quote(self) -> RefundQuote:
        """The engine's quote for what is chosen (`RefundRefused` when it will not do)."""
        if self.original is None:
            raise EntryRefused("Find the sale first: scan its receipt or type its number.")
        return quote_refund(self.register, self.original.order_id, self.returns())

    def refresh(self) -> None:
        """The quote, per line and in all, and where the money goes, as chosen now."""
        returns = self.returns()
        quote = None
        if returns:
            try:
                quote = self.quote()
            except EntryRefused as exc:
                self.messages.show(exc)
        by_line = {q.sold.line_no: q for q in quote.lines} if quote else {}
        for row, line_no in enumerate(self.steppers):
            q = by_line.get(line_no)
            text = f"{format_cents(q.total_cents)} (tax {format_cents(q.tax_cents)})" if q else ""
            self.table.item(row, 5).setText(text)
        self.refund_button.setEnabled(quote is not None)
        self.exchange_button.setEnabled(quote is not None)
        if quote is None:
            self.quote_label.setText("Choose what comes back with + and −.")
            self.total.setText("Refund " + format_cents(0))
            self._show_split({})
            return
        parts = [f"Items {format_cents(quote.subtotal_cents)}"]
        if quote.discount_cents:
            parts.append(f"Discounts −{format_cents(quote.discount_cents)}")
        parts.append(f"Tax {format_cents(quote.tax_cents)}")
        if quote.shipping_cents:
            parts.append(f"Shipping {format_cents(quote.shipping_cents)}")
        if quote.tip_cents:
            parts.append(f"Tip {format_cents(quote.tip_cents)}")
        words = "    ".join(parts)
        if quote.too_old:
            words += (
                f"\nThis sale is older than the store's {quote.max_age_days}-day refund "
                "window: a manager must approve."
            )
        self.quote_label.setText(words)
        self.total.setText(f"Refund {format_cents(quote.total_cents)}")
        self._show_split(self.split(quote))

    # --- where the money goes -----------------------------------------------------------

    def _tender_rows(self, original: Original | None) -> None:
        """One row per way the sale was paid (and cash, which a manager may allow when
        the guest paid otherwise); a card's row takes the card terminal's refund approval
        code, typed from its slip (no card data is ever read here)."""
        for box, _, _ in self.tender_rows.values():
            box.hide()  # gone at once, not at the event loop's next turn
            self.tenders_grid.removeWidget(box)
            box.deleteLater()
        self.tender_rows.clear()
        self._paid = {}
        if original is None:
            return
        paid = list(original.tenders)
        if not any(p.kind is TenderKind.CASH for p in paid):
            paid.append(PaidTender(TenderKind.CASH, 0, 0))
        for index, p in enumerate(paid):
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            name = QLabel(p.describe() if p.kind is TenderKind.CARD else p.describe().capitalize())
            amount = QLabel("", alignment=Qt.AlignmentFlag.AlignRight)
            amount.setMinimumWidth(amount.fontMetrics().horizontalAdvance("$99,999.99") * 2)
            row.addWidget(name, 1)
            code = None
            if p.kind is TenderKind.CARD:
                code = QLineEdit(placeholderText="Card terminal's refund approval code")
                code.setMaxLength(12)
                code.setMinimumHeight(TOUCH)
                row.addWidget(code, 2)
            row.addWidget(amount)
            self.tenders_grid.addWidget(box, index, 0)
            self.tender_rows[p.key] = (box, amount, code)
            self._paid[p.key] = p

    def split(self, quote: RefundQuote) -> dict[tuple, int]:
        """The amount for each tender row: as the guest paid (the rest, if the original
        tenders cannot take it all, as cash) or all in cash."""
        cash = (TenderKind.CASH.value,)
        if self.way.currentText() == ALL_CASH:
            return {cash: quote.total_cents}
        amounts = {paid.key: amount for paid, amount in quote.default_split()}
        rest = quote.total_cents - sum(amounts.values())
        if rest:
            amounts[cash] = amounts.get(cash, 0) + rest
        return amounts

    def _show_split(self, amounts: dict[tuple, int]) -> None:
        for key, (box, label, _) in self.tender_rows.items():
            box.setVisible(key in amounts)
            label.setText(format_cents(amounts.get(key, 0)))

    def tenders(self, quote: RefundQuote) -> list[TenderInput]:
        """The refund's tenders as shown (`TenderError` when a card's code is missing)."""
        out = []
        for key, amount in self.split(quote).items():
            p = self._paid[key]
            code = self.tender_rows[key][2]
            out.append(
                TenderInput(
                    p.kind,
                    amount,
                    card_type=p.card_type,
                    card_last4=p.card_last4,
                    approval_code=code.text().strip() if code is not None else None,
                    gift_card_code=p.gift_card_code,
                    account=p.account,
                )
            )
        return out

    # --- approvals ----------------------------------------------------------------------

    def _approved(
        self,
        actions: list[Action],
        then: Callable[[list[Approval]], None],
        given: tuple[Approval, ...] = (),
    ) -> None:
        """Ask a manager for each of `actions` in turn, then `then(approvals)`; a
        cancelled approval leaves everything as it was."""
        if not actions:
            then(list(given))
            return
        quote_total = self.total.text()
        detail = f"{self.original.number if self.original else ''}: {quote_total}"
        self.approval_dialog = dialog = ApprovalDialog(
            self.register.db, actions[0], self.staff, detail, self
        )
        dialog.accepted.connect(
            lambda: self._approved(actions[1:], then, (*given, dialog.approval))
        )
        dialog.open()

    # --- committing ---------------------------------------------------------------------

    def refund(self) -> None:
        """Check everything the engine checks, ask a manager for what it needs, commit."""
        if self.staff is None:
            return
        try:
            returns = self.returns()
            quote = self.quote()
            tenders = self.tenders(quote)
            needs = check_tenders(quote, tenders, self.register.limits)
        except EntryRefused as exc:
            self.messages.show(exc)
            return
        self._approved(sorted(needs), partial(self._commit, returns, tenders))

    def _commit(
        self, returns: list[ReturnLine], tenders: list[TenderInput], approvals: list[Approval]
    ) -> None:
        assert self.original is not None and self.staff is not None
        try:
            done = commit_refund(
                self.register, self.original.order_id, returns, self.staff, approvals, tenders
            )
        except (EntryRefused, AuthError) as exc:
            self.messages.say(str(exc))
            return
        self.last_refund = done
        self.clear()
        self.number.clear()
        back = ", ".join(
            f"{format_cents(t.amount_cents)} {_to(t)}" for t in done.tenders if t.amount_cents
        )
        self.messages.say(f"Refund {done.number} of {done.original_number} done: {back}.")
        self._print(done.order_id)
        self.sig_refunded.emit()

    def _print(self, order_id: str) -> None:
        """The refund receipt shown here and printed on the worker; cash back opens the
        drawer once it has printed."""
        receipt = build_receipt(self.register.db, order_id)
        show(receipt.data, self.receipt_view)
        self.receipt_shown = self.receipt_view.toPlainText()
        printer = self._printer()

        def printed() -> None:
            if receipt.opens_drawer:
                Op(
                    work=partial(send, printer, drawer_kick()),
                    on_failed=lambda exc: self._say_more(
                        f"The cash drawer did not open: {problem_of(exc)}. Open it with its key."
                    ),
                    parent=self,
                ).run()

        print_or_show(
            printer,
            receipt.data,
            self.receipt_view,
            parent=self,
            on_printed=printed,
            on_failed=lambda problem: self._say_more(
                f"{problem}; the refund is saved. Reprint from Orders."
            ),
        )

    def _say_more(self, text: str) -> None:
        self.messages.say(f"{self.message.text()} {text}".strip())

    # --- exchange -----------------------------------------------------------------------

    def exchange(self) -> None:
        """The chosen returns, approved, go to the selling screen as exchange credit."""
        if self.staff is None:
            return
        try:
            quote = self.quote()
        except EntryRefused as exc:
            self.messages.show(exc)
            return
        needs = [Action.REFUND] + ([Action.REFUND_OLD_ORDER] if quote.too_old else [])
        returns = tuple(self.returns())

        def approved(approvals: list[Approval]) -> None:
            self.sig_exchange.emit(ExchangeCredit(quote, returns, tuple(approvals)))
            self.clear()
            self.number.clear()

        self._approved(needs, approved)


def _to(tender: TenderInput) -> str:
    if tender.kind is TenderKind.CARD:
        return f"to {tender.card_type} ****{tender.card_last4}"
    if tender.kind is TenderKind.GIFT_CARD:
        return "to the gift card"
    return "in cash" if tender.kind is TenderKind.CASH else f"as {tender.kind.label.lower()}"
