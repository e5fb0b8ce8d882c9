"""Taking payment: cash with quick amounts and change, a card taken on the separate card
terminal, a gift card, any split of them, and a tip. Commit first, then print.

Every rule (what covers the total, change only from cash, what a card record may hold,
the store's limits on a payment and a tip) is the engine's; this dialog collects tenders
and shows what the engine says under the row it is about, and stays open. After the
commit the receipt goes to the configured printer on the worker (`ui.worker`), then the
drawer opens for cash; the dialog says when it has printed, or why not (the receipt is
then shown here, and `sig_print_problem` tells the register, which keeps it in view after
the dialog closes). With no printer (the demo) it is shown here from the very same bytes.

In an exchange (`exchange`: credit from a return, `ui.exchange_credit`) the dialog settles
the difference: the guest pays what the new sale costs beyond the credit, or is given back
what the credit is worth beyond the sale (exactly, no change; to how they paid unless a
manager approves another way, asked for here). The return and the sale are committed
together (`refunds.commit_exchange`), and one receipt shows both.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tastingroom import entry
from tastingroom.devices.printer import PrinterConfig, send
from tastingroom.devices.receipt import Receipt, build_receipt, drawer_kick
from tastingroom.entry import EntryRefused
from tastingroom.money import format_cents
from tastingroom.people.staff import Action, Approval, AuthError, StaffMember
from tastingroom.selling.age import AgeCheckResult
from tastingroom.selling.cart import Cart
from tastingroom.selling.refunds import check_tenders, commit_exchange
from tastingroom.selling.sales import CommittedSale, Register
from tastingroom.selling.tenders import (
    CARD_TYPES,
    TenderError,
    TenderInput,
    TenderKind,
    check_limit,
)
from ui.approval_dialog import ApprovalDialog
from ui.exchange_credit import ExchangeCredit
from ui.field_messages import FieldMessages
from ui.receipt_view import print_or_show, problem_of
from ui.worker import Op

CASH, CARD, GIFT = "cash_row", "card_row", "gift_row"
"""The payment rows, each with its message label: a refusal shows under the row it
came from, whichever of the row's fields it is about."""
QUICK_CASH_HEIGHT = 48


def quick_cash(due_cents: int) -> list[int]:
    """Exact, then what a guest would hand over: the next $5, $10, $20, $50 and $100."""
    amounts = [due_cents]
    for step in (500, 1000, 2000, 5000, 10_000):
        amount = -(-due_cents // step) * step
        if amount > due_cents and amount not in amounts:
            amounts.append(amount)
    return amounts[:5]


class PaymentDialog(QDialog):
    sig_print_problem = Signal(str)
    """The receipt did not print, or the drawer did not open: what staff should know."""

    def __init__(
        self,
        register: Register,
        cart: Cart,
        staff: StaffMember,
        age_check: AgeCheckResult | None,
        printer: PrinterConfig | None = None,
        parent: QWidget | None = None,
        exchange: ExchangeCredit | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Payment")
        self.register, self.cart, self.staff, self.age_check = register, cart, staff, age_check
        self.exchange = exchange
        self.approval_dialog: ApprovalDialog | None = None
        self.printer = printer or PrinterConfig()
        self.tenders: list[TenderInput] = []
        self.sale: CommittedSale | None = None
        self.receipt_shown = ""

        self.total_label = QLabel("", objectName="total")
        self.due_label = QLabel("")
        self.tip = QLineEdit(placeholderText="0.00")
        self.tip.editingFinished.connect(self._tip_changed)
        self.list = QListWidget()
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.messages = FieldMessages(self.message)

        self.cash_amount = QLineEdit(placeholderText="Cash received")
        self.cash_amount.returnPressed.connect(lambda: self._add_cash_text(self.cash_amount.text()))
        self.quick_row = QHBoxLayout()
        add_cash = QPushButton("Add cash")
        add_cash.clicked.connect(lambda: self._add_cash_text(self.cash_amount.text()))
        self.card_type = QComboBox()
        self.card_type.addItems(list(CARD_TYPES))
        self.card_last4 = QLineEdit(placeholderText="Last 4", maxLength=4)
        self.card_approval = QLineEdit(placeholderText="Approval code", maxLength=12)
        self.card_amount = QLineEdit(placeholderText="Amount (all that is due)")
        add_card = QPushButton("Add card")
        add_card.clicked.connect(self.add_card)
        self.gift_code = QLineEdit(
            placeholderText="Gift card code", maxLength=entry.GIFT_CARD_CODE.max_length
        )
        self.gift_amount = QLineEdit(placeholderText="Amount")
        add_gift = QPushButton("Add gift card")
        add_gift.clicked.connect(self.add_gift_card)
        clear = QPushButton("Remove payments")
        clear.clicked.connect(self.clear_tenders)
        self.complete = QPushButton("Complete sale", objectName="complete")
        self.complete.clicked.connect(self.complete_sale)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)

        under = self.messages.under
        grid = QGridLayout()
        grid.addWidget(QLabel("Cash"), 0, 0)
        grid.addWidget(under(CASH, self.cash_amount), 0, 1)
        grid.addWidget(add_cash, 0, 2)
        grid.addLayout(self.quick_row, 1, 1, 1, 2)
        # The row keeps its height once paid and empty, so that the rows below never move
        # up under a finger still tapping a quick amount (see also `ui.taps`).
        grid.setRowMinimumHeight(1, QUICK_CASH_HEIGHT)
        grid.addWidget(QLabel("Card"), 2, 0)
        card_row = QHBoxLayout()
        for w in (self.card_type, self.card_last4, self.card_approval, self.card_amount):
            card_row.addWidget(w)
        grid.addWidget(under(CARD, card_row), 2, 1)
        grid.addWidget(add_card, 2, 2)
        grid.addWidget(QLabel("Gift card"), 3, 0)
        gift_row = QHBoxLayout()
        gift_row.addWidget(self.gift_code)
        gift_row.addWidget(self.gift_amount)
        grid.addWidget(under(GIFT, gift_row), 3, 1)
        grid.addWidget(add_gift, 3, 2)
        grid.addWidget(QLabel("Tip"), 4, 0)
        grid.addWidget(under(entry.TIP.field, self.tip), 4, 1)

        pay_page = QWidget()
        pay = QVBoxLayout(pay_page)
        pay.addWidget(self.total_label)
        pay.addWidget(self.due_label)
        pay.addLayout(grid)
        pay.addWidget(self.list)
        pay.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(clear)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.complete)
        pay.addLayout(buttons)

        done_page = QWidget()
        done = QVBoxLayout(done_page)
        self.done_label = QLabel("", objectName="total")
        self.done_label.setWordWrap(True)
        self.print_status = QLabel("", objectName="notice")
        self.print_status.setWordWrap(True)
        self.receipt_view = QPlainTextEdit(readOnly=True)
        self.receipt_view.setFont(QFont("DejaVu Sans Mono", 11))
        close = QPushButton("Next sale")
        close.clicked.connect(self.accept)
        done.addWidget(self.done_label)
        done.addWidget(self.print_status)
        done.addWidget(self.receipt_view, 1)
        done.addWidget(close)

        self.pages = QStackedWidget()
        self.pages.addWidget(pay_page)
        self.pages.addWidget(done_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.setMinimumSize(760, 620)
        for button in self.findChildren(QPushButton):
            # Enter finishes what is typed (a tip, a code); it never takes a payment unasked.
            button.setAutoDefault(False)
        self.refresh()

    # --- state ------------------------------------------------------------------------

    def total_cents(self) -> int:
        """What changes hands: the sale's total, or in an exchange the difference."""
        total = self.register.price(self.cart).total_cents
        return total if self.exchange is None else abs(total - self.exchange.value_cents)

    @property
    def giving_back(self) -> bool:
        """An exchange for something cheaper: the difference goes back to the guest."""
        return (
            self.exchange is not None
            and self.register.price(self.cart).total_cents < self.exchange.value_cents
        )

    def due_cents(self) -> int:
        return max(0, self.total_cents() - sum(t.amount_cents for t in self.tenders))

    def refresh(self) -> None:
        total = self.total_cents()
        paid = sum(t.amount_cents for t in self.tenders)
        back = self.giving_back
        if self.exchange is None:
            self.total_label.setText(f"Total {format_cents(total)}")
        else:
            credit = f"after {format_cents(self.exchange.value_cents)} exchange credit"
            head = "Back to guest" if back else "To pay"
            self.total_label.setText(f"{head} {format_cents(total)} ({credit})")
        if back:
            self.due_label.setText(f"Still to give back {format_cents(max(0, total - paid))}")
        elif paid > total:
            self.due_label.setText(f"Change due {format_cents(paid - total)}")
        else:
            self.due_label.setText(f"Still due {format_cents(total - paid)}")
        self.list.clear()
        for t in self.tenders:
            extra = f" {t.card_type} ****{t.card_last4}" if t.kind is TenderKind.CARD else ""
            self.list.addItem(f"{t.kind.label}{extra}  {format_cents(t.amount_cents)}")
        while self.quick_row.count():
            item = self.quick_row.takeAt(0)
            if item.widget():
                item.widget().hide()  # untappable at once, not at the event loop's next turn
                item.widget().deleteLater()
        due = self.due_cents()
        for amount in ([due] if back else quick_cash(due)) if due else []:
            button = QPushButton(format_cents(amount), objectName="quickCash", autoDefault=False)
            button.setMinimumHeight(QUICK_CASH_HEIGHT)
            button.clicked.connect(lambda _=False, a=amount: self.add_cash(a))
            self.quick_row.addWidget(button)
        self.complete.setEnabled(paid == total if back else paid >= total)

    def _amount(self, text: str, default: int) -> int:
        """A payment as typed, or all that is due when left empty."""
        if not text.strip():
            return default
        cents = entry.dollars(text, entry.TENDER)
        if cents <= 0:
            raise TenderError("Enter an amount above zero.", entry.TENDER.field)
        return cents

    def _add(self, row: str, make: Callable[[], TenderInput]) -> bool:
        """Add the tender `make` builds if it is within the store's limit on a payment; a
        refusal shows under `row` and adds nothing."""
        try:
            self.tenders.append(check_limit(make(), self.register.limits))
        except EntryRefused as exc:
            self.messages.show(exc, row)
            return False
        self.messages.clear()
        self.refresh()
        return True

    # --- tenders ----------------------------------------------------------------------

    def add_cash(self, cents: int) -> None:
        self._add(CASH, lambda: TenderInput(TenderKind.CASH, cents))

    def _add_cash_text(self, text: str) -> None:
        def cash() -> TenderInput:
            return TenderInput(TenderKind.CASH, self._amount(text, self.due_cents()))

        if self._add(CASH, cash):
            self.cash_amount.clear()

    def add_card(self) -> None:
        self._add(
            CARD,
            lambda: TenderInput(
                TenderKind.CARD,
                self._amount(self.card_amount.text(), self.due_cents()),
                card_type=self.card_type.currentText(),
                card_last4=self.card_last4.text().strip(),
                approval_code=self.card_approval.text().strip(),
            ),
        )

    def add_gift_card(self) -> None:
        self._add(
            GIFT,
            lambda: TenderInput(
                TenderKind.GIFT_CARD,
                self._amount(self.gift_amount.text(), self.due_cents()),
                gift_card_code=self.gift_code.text(),
            ),
        )

    def clear_tenders(self) -> None:
        self.tenders.clear()
        self.refresh()

    def _tip_changed(self) -> None:
        """A tip within the store's limit goes on the cart; otherwise it stays as it was."""
        typed = self.tip.text()
        try:
            limit = self.register.limits.tip_cents
            self.cart.set_tip(entry.dollars(typed, entry.TIP, limit) if typed.strip() else 0)
        except EntryRefused as exc:
            self.messages.show(exc)
            return
        self.messages.clear()
        self.refresh()

    # --- committing -------------------------------------------------------------------

    def complete_sale(self) -> None:
        """Commit (durably), then print (in the background) or show the receipt."""
        if self.exchange is not None:
            self._exchange()
            return
        try:
            self.sale = self.register.commit(self.cart, self.staff, self.tenders, self.age_check)
        except (EntryRefused, AuthError) as exc:
            self._refused(exc)
            return
        change = self.sale.settlement.change_cents
        self._done(
            f"Sale {self.sale.number} complete."
            + (f"\nChange due {format_cents(change)}" if change else "")
        )

    def _refused(self, exc: EntryRefused | AuthError) -> None:
        """The commit said no: an entry's refusal under its field, a PIN's in general."""
        if isinstance(exc, EntryRefused):
            self.messages.show(exc)
        else:
            self.messages.clear()
            self.message.setText(str(exc))

    def _exchange(self, approvals: tuple[Approval, ...] = ()) -> None:
        """The return and the new sale in one commit. Money given back another way than
        the guest paid needs a manager, asked for here before anything is written."""
        ex = self.exchange
        given = (*ex.approvals, *approvals)
        try:
            if self.giving_back:
                needs = check_tenders(
                    ex.quote, self.tenders, self.register.limits, self.total_cents()
                )
                if Action.REFUND_OTHER_TENDER in needs and not approvals:
                    self._ask(Action.REFUND_OTHER_TENDER)
                    return
            done = commit_exchange(
                self.register, ex.order_id, list(ex.returns), self.cart, self.staff,
                list(given), self.tenders, self.age_check,
            )  # fmt: skip
        except (EntryRefused, AuthError) as exc:
            self._refused(exc)
            return
        self.sale = done.sale
        difference = done.difference_cents
        change = done.sale.settlement.change_cents
        settled = (
            f"Back to guest {format_cents(-difference)}"
            if difference < 0
            else (f"Change due {format_cents(change)}" if change else "")
        )
        self._done(
            f"Exchange complete: return {done.refund.number} of {ex.number}, "
            f"sale {done.sale.number}." + (f"\n{settled}" if settled else "")
        )

    def _ask(self, action: Action) -> None:
        detail = f"exchange difference back {format_cents(self.total_cents())}"
        self.approval_dialog = dialog = ApprovalDialog(
            self.register.db, action, self.staff, detail, self
        )
        dialog.accepted.connect(lambda: self._exchange((dialog.approval,)))
        dialog.open()

    def _done(self, words: str) -> None:
        """Committed: the receipt (one, for an exchange too) printed or shown."""
        receipt = build_receipt(self.register.db, self.sale.order_id)
        self.done_label.setText(words)
        queued = print_or_show(
            self.printer,
            receipt.data,
            self.receipt_view,
            parent=self,
            on_printed=lambda: self._printed(receipt),
            on_failed=self._print_failed,
        )
        if queued:
            self.print_status.setText("Printing the receipt…")
        else:
            self.receipt_shown = self.receipt_view.toPlainText()
        self.pages.setCurrentIndex(1)

    # --- after the commit: the receipt and the drawer ----------------------------------

    def _printed(self, receipt: Receipt) -> None:
        """Printed; for cash, the drawer opens next (on the same printer, in turn)."""
        self.print_status.setText("Receipt printed.")
        if receipt.opens_drawer:
            Op(
                work=partial(send, self.printer, drawer_kick()),
                on_failed=self._drawer_failed,
                parent=self,
            ).run()

    def _print_failed(self, problem: str) -> None:
        self._say(f"{problem}; the sale is saved. Reprint from Orders.")
        self.receipt_shown = self.receipt_view.toPlainText()

    def _drawer_failed(self, exc: Exception) -> None:
        self._say(f"The cash drawer did not open: {problem_of(exc)}. Open it with its key.")

    def _say(self, problem: str) -> None:
        self.print_status.setText(problem)
        self.sig_print_problem.emit(problem)
