"""The selling screen: find products, build a cart, see it priced line by line, and pay.

Everything shown comes from the engine (`Register`): the search index, the cart and
`pricing`'s explanations. The shell (`ui.main_window`) owns signing in, the other
screens, scanner routing and the status bar; it hands this screen product scans
(`take_scan`) and tells it who is signed in (`signed_in`).

An exchange starts on the refund screen and is rung here (`start_exchange`): the cart
shows the return's credit, and Pay settles the difference, committing the return and
the new sale together. "New sale" drops the credit (nothing was written).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

import ui.app
from tastingroom.catalog.favourites import FavouritesBoard
from tastingroom.catalog.index import Item
from tastingroom.devices.printer import PrinterConfig
from tastingroom.drawer import current_session, drawer_refusal
from tastingroom.money import format_cents
from tastingroom.people.staff import Action, AuthError, StaffMember
from tastingroom.selling.age import AgeCheckResult, needs_check
from tastingroom.selling.cart import Cart, CartError, ShipTo
from tastingroom.selling.idscan import looks_like_id_scan, looks_like_licence_part
from tastingroom.selling.pricing import Discount, PricedCart, PricingError
from tastingroom.selling.sales import Register
from ui.age_check_dialog import AgeCheckDialog, keep_refusal
from ui.approval_dialog import ApprovalDialog
from ui.cart_table import CartTable
from ui.customer_dialog import CustomerDialog
from ui.discount_dialog import DiscountDialog
from ui.exchange_credit import ExchangeCredit
from ui.field_messages import FieldMessages
from ui.pack_dialog import PackDialog
from ui.payment_dialog import PaymentDialog
from ui.price_dialog import PriceDialog
from ui.product_grid import FAVOURITES, MAX_TILES, ProductGrid
from ui.ship_dialog import ShipDialog
from ui.tabs_panel import TabsPanel
from ui.worker import Op

CART = "cart"
"""Where words about the cart, its lines and paying appear: under the cart, right above
the buttons they are about. Words about searching and scanning appear under the products
(`RegisterScreen.notice`). Either way only the list above a message shrinks; no button moves."""


class RegisterScreen(QWidget):
    """Search on the left, the cart and its totals on the right."""

    sig_cart_changed = Signal()
    sig_lock = Signal()
    """The cashier pressed Lock."""
    sig_sold = Signal()
    """A sale was paid: what the status bar shows has changed."""

    def __init__(
        self,
        register: Register,
        staff: Callable[[], StaffMember | None],
        printer: PrinterConfig,
    ) -> None:
        """`staff`: who is signed in now (the shell knows); `printer`: where receipts go
        (the shell sets `printer` again when the settings change)."""
        super().__init__(objectName="register")
        self.register = register
        self._staff = staff
        self.printer = printer
        self.cart = register.new_cart("")
        self.exchange: ExchangeCredit | None = None
        self.age_dialog: AgeCheckDialog | None = None
        self.payment_dialog: PaymentDialog | None = None
        self.customer_dialog: CustomerDialog | None = None
        self.approval_dialog: ApprovalDialog | None = None
        self.line_dialog: DiscountDialog | PackDialog | PriceDialog | ShipDialog | None = None
        self.favourites = FavouritesBoard(register.db)
        self._revision = 0
        """Counts changes to the cart and the search: a message says until the next one."""
        self._holds: Callable[[], bool] | None = None
        """Whether the message on screen is still true (see `say`)."""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(16)
        layout.addLayout(self._build_search(), 5)
        layout.addLayout(self._build_cart(), 6)
        self.refresh_cart()

    @property
    def staff(self) -> StaffMember | None:
        return self._staff()

    def signed_in(self, member: StaffMember) -> None:
        """The open sale, if any, carries on under whoever signed in (a quick switch)."""
        self.cart.hand_over(member.id)
        self.staff_label.setText(member.name)
        self.search.setFocus()

    def dialogs(self) -> list[QWidget]:
        """This screen's dialogs that may be open (the shell closes them on exit)."""
        return [
            d
            for d in (
                self.age_dialog,
                self.payment_dialog,
                self.customer_dialog,
                self.approval_dialog,
                self.line_dialog,
                *self.tabs.dialogs(),
            )
            if d is not None
        ]

    def take_scan(self, code: str) -> None:
        """A scan the shell did not route to an open ID check: a product goes into the
        cart. No part of a licence is ever shown: it holds the licence number."""
        if looks_like_id_scan(code):
            self.notice.setText("A licence was scanned: press Pay to check ID with it.")
            return
        item = self.register.catalog.by_barcode(code)
        if item is None and looks_like_licence_part(code):
            self.notice.setText(
                "Part of a licence barcode was read. Nothing was added; scan the licence "
                "again when checking ID."
            )
            return
        if item is None:
            self.notice.setText(f"No product has the code “{code.strip()}”. Nothing was added.")
            return
        self.notice.setText("")
        self.add_item(item)

    # --- search -------------------------------------------------------------------------

    def _build_search(self) -> QVBoxLayout:
        column = QVBoxLayout()
        title = QLabel(self.register.settings.store_name, objectName="storeName")
        self.search = QLineEdit(placeholderText="Search wines, flights, merchandise, or scan…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.show_results)
        self.search.returnPressed.connect(self.add_top_result)
        self.results = QListWidget()
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        steps = {
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_PageDown: 8,
            Qt.Key.Key_PageUp: -8,
        }
        for key, step in steps.items():  # the arrows move the highlight; typing goes on
            shortcut = QShortcut(QKeySequence(key), self.search)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda s=step: self.step_result(s))
        self.results.itemActivated.connect(self._add_result_item)
        self.results.itemClicked.connect(self._add_result_item)
        self.grid = ProductGrid(self.register.settings.default_price_level)
        self.grid.set_tabs(self.register.catalog.categories())
        self.grid.sig_tab.connect(self.show_tab)
        self.grid.sig_chosen.connect(self.add_item)
        self.browse = QStackedWidget()
        self.browse.addWidget(self.grid)
        self.browse.addWidget(self.results)
        self.notice = QLabel("", objectName="notice")
        self.notice.setWordWrap(True)
        self.messages = FieldMessages(self.notice)
        column.addWidget(title)
        column.addWidget(self.search)
        column.addWidget(self.browse, 1)
        column.addWidget(self.notice)
        self.show_tab(FAVOURITES)
        return column

    def show_tab(self, tab: str) -> None:
        """The grid's favourites (pinned, then this store's best sellers, kept in place all
        day: see `tastingroom.catalog.favourites`) or one category."""
        if tab == FAVOURITES:
            self.grid.show_items(tab, self.favourites.items(self.register.catalog))
        else:
            items, total = self.register.catalog.in_category(tab, MAX_TILES)
            self.grid.show_items(tab, items, total)

    @Slot()
    def catalog_changed(self) -> None:
        """WineDirect's catalog changed (a new wine, a price): the search index is rebuilt
        on the worker, so scanning never waits for it, and the tiles follow once it is."""
        Op(work=self.register.refresh_catalog, on_done=self._catalog_refreshed, parent=self).run()

    def _catalog_refreshed(self, _result: object) -> None:
        """The tiles follow the new catalog (frozen like the first: `ui.app.FREEZE_HEAP`)."""
        if ui.app.FREEZE_HEAP:
            gc.freeze()
        tab = self.grid.current_tab
        categories = self.register.catalog.categories()
        if list(self.grid.tab_buttons) != [FAVOURITES, *categories]:
            self.grid.set_tabs(categories)  # tabs are rebuilt only when they really change
        self.favourites.forget()
        self.show_tab(tab if tab in categories else FAVOURITES)

    def favourites_changed(self) -> None:
        """A manager changed the pinned favourites: the tiles follow at once."""
        self.favourites.forget()
        if self.grid.current_tab == FAVOURITES:
            self.show_tab(FAVOURITES)

    def show_results(self, text: str) -> None:
        """Typing shows matching products in a list, the first one highlighted (Enter adds
        it; the arrows move the highlight); an empty search shows the grid."""
        self._changed()
        if not text.strip():
            self.browse.setCurrentWidget(self.grid)
            return
        self.browse.setCurrentWidget(self.results)
        items = self.register.catalog.search(text)
        self.results.clear()
        for item in items:
            price = item.price_at(self.register.settings.default_price_level)
            label = f"{item.name}    {format_cents(price) if price is not None else 'no price'}"
            row = QListWidgetItem(label)
            row.setData(Qt.ItemDataRole.UserRole, item)
            self.results.addItem(row)
        if items:
            self.results.setCurrentRow(0)
        else:
            self.say(f"Nothing matches “{text}”.")

    def step_result(self, step: int) -> None:
        """Move the highlight `step` rows down (up when negative), staying in the list."""
        if self.browse.currentWidget() is not self.results or not self.results.count():
            return
        row = min(max(self.results.currentRow() + step, 0), self.results.count() - 1)
        self.results.setCurrentRow(row)

    def add_top_result(self) -> None:
        """Enter: the product whose code was typed, else the highlighted result."""
        text = self.search.text()
        item = self.register.catalog.by_barcode(text)
        highlighted = self.results.currentItem()
        if item is None and text.strip() and highlighted is not None:
            item = highlighted.data(Qt.ItemDataRole.UserRole)
        if item is None:
            self.say(f"No product has the code “{text.strip()}”.")
            return
        self.add_item(item)
        self.search.clear()

    def _add_result_item(self, row: QListWidgetItem) -> None:
        self.add_item(row.data(Qt.ItemDataRole.UserRole))

    def add_item(self, item: Item) -> None:
        try:
            self.cart.add(item)
        except CartError as exc:
            self.say(str(exc))  # beside the tile or result that was tapped
            return
        self.refresh_cart()

    # --- messages -----------------------------------------------------------------------

    def say(
        self, text: str, field: str | None = None, holds: Callable[[], bool] | None = None
    ) -> None:
        """`text` under the cart (`field` CART) or under the products, for as long as
        `holds()` stays true: it is asked again after every change to the cart, the search
        or the chosen line. By default a message lasts until the next change to the cart or
        the search: the cashier has moved on."""
        self.messages.say(text, field)
        self._holds = holds or partial(self._unchanged_since, self._revision)

    def _unchanged_since(self, revision: int) -> bool:
        return self._revision == revision

    def _changed(self) -> None:
        """The cart or the search changed: messages whose cause is gone go."""
        self._revision += 1
        self._recheck()

    def _recheck(self) -> None:
        if self._holds is None or not self._holds():
            self.messages.clear()
            self._holds = None

    # --- cart ---------------------------------------------------------------------------

    def _build_cart(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.table = CartTable()
        self.tabs = TabsPanel(self)
        self.totals = QLabel("")
        self.totals.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.total = QLabel("", objectName="total")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.more_button = QPushButton("+1")
        self.more_button.clicked.connect(lambda: self.change_quantity(+1))
        self.fewer_button = QPushButton("−1")
        self.fewer_button.clicked.connect(lambda: self.change_quantity(-1))
        self.pack_button = QPushButton("Pack…")
        self.pack_button.clicked.connect(self.choose_pack)
        self.discount_button = QPushButton("Discount…")
        self.discount_button.clicked.connect(self.discount_line)
        self.price_button = QPushButton("Price…")
        self.price_button.clicked.connect(self.change_price)
        self.remove_button = QPushButton("Remove line")
        self.remove_button.clicked.connect(self.remove_line)
        line_buttons = QHBoxLayout()
        for button in (
            self.more_button,
            self.fewer_button,
            self.pack_button,
            self.discount_button,
            self.price_button,
            self.remove_button,
        ):
            button.setMinimumHeight(44)
            button.setObjectName("lineButton")
            line_buttons.addWidget(button)
        line_buttons.addStretch(1)
        self.order_discount_button = QPushButton("Order discount…", objectName="lineButton")
        self.order_discount_button.setMinimumHeight(44)
        self.order_discount_button.clicked.connect(self.discount_order)
        self.ship_button = QPushButton("Ship…", objectName="lineButton")
        self.ship_button.setMinimumHeight(44)
        self.ship_button.clicked.connect(self.choose_shipping)
        order_buttons = QHBoxLayout()
        self.customer_button = QPushButton("Customer…")
        self.customer_button.clicked.connect(self.choose_customer)
        self.clear_button = QPushButton("New sale")
        self.clear_button.clicked.connect(self.new_sale)
        self.pay_button = QPushButton("Pay", objectName="payButton")
        self.pay_button.setMinimumSize(160, 56)
        self.pay_button.clicked.connect(self.start_payment)
        self.staff_label = QLabel("")
        self.lock_button = QPushButton("Lock")
        self.lock_button.clicked.connect(self.sig_lock)
        self.customer_button.setObjectName("lineButton")
        self.customer_button.setMinimumHeight(44)
        for button in (self.customer_button, self.ship_button, self.order_discount_button):
            order_buttons.addWidget(button)
        order_buttons.addStretch(1)
        order_buttons.addWidget(self.tabs.abandon_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.staff_label)
        buttons.addWidget(self.lock_button)
        buttons.addStretch(1)
        buttons.addWidget(self.tabs.hold_button)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.pay_button)
        self.customer_label = QLabel("")
        self.table.itemSelectionChanged.connect(self._recheck)
        column.addWidget(self.tabs)
        column.addWidget(self.customer_label)
        column.addWidget(self.messages.under(CART, self.table), 1)
        column.addLayout(line_buttons)
        column.addLayout(order_buttons)
        column.addWidget(self.totals)
        column.addWidget(self.total)
        column.addLayout(buttons)
        return column

    def new_sale(self) -> None:
        """A resumed tab cleared from the screen goes back to the open tabs (`TabsPanel`);
        an exchange not yet paid is dropped (nothing of it was written)."""
        self.tabs.put_back(self.cart)
        self.exchange = None
        self.show_cart(self.register.new_cart(self.staff.id if self.staff else ""))

    def show_cart(self, cart: Cart) -> None:
        self.cart = cart
        self.refresh_cart()

    def start_exchange(self, credit: ExchangeCredit) -> None:
        """What the guest brought back pays for this sale, in part or in full (items already
        in the cart stay: nothing rung is lost)."""
        self.exchange = credit
        self.refresh_cart()

    def priced(self) -> PricedCart | None:
        if not self.cart.lines:
            return None
        try:
            return self.register.price(self.cart)
        except PricingError as exc:
            self.say(str(exc), CART)
            return None

    def refresh_cart(self) -> None:
        self._changed()
        customer = self.cart.customer
        if customer is None:
            who = f"{self.tabs.title()} · no customer attached"
        else:
            clubs = ", ".join(c.name for c in customer.clubs) or "not a club member"
            who = f"{self.tabs.title()} · {customer.name} ({clubs})"
        ship = self.cart.ship_to
        if ship is None:
            self.customer_label.setText(f"{who} · carry out")
        else:
            where = f"{ship.first_name} {ship.last_name}, {ship.city} {ship.state.upper()}"
            self.customer_label.setText(f"{who}\nShip to {where}")
        priced = self.priced()
        lines = priced.lines if priced else []
        self.table.show_lines(
            [
                (
                    line.name,
                    str(line.quantity),
                    format_cents(line.unit_price_cents),
                    "; ".join(line.explanation)
                    + (f" (−{format_cents(line.discount_cents)})" if line.discount_cents else ""),
                    format_cents(line.net_cents),
                )
                for line in lines
            ]
        )
        credit = self.exchange
        if priced is None and credit is not None:
            self.totals.setText(
                f"Exchange: {format_cents(credit.value_cents)} credit from {credit.number}. "
                "Scan or tap the new items."
            )
            self.total.setText(f"Exchange credit −{format_cents(credit.value_cents)}")
        elif priced is None:
            self.totals.setText("Scan or tap a product to start a sale.")
            self.total.setText(format_cents(0))
        else:
            parts = [f"Subtotal {format_cents(priced.subtotal_cents)}"]
            if priced.discount_cents:
                parts.append(f"Discounts −{format_cents(priced.discount_cents)}")
            if self.cart.order_discount is not None:
                parts.append(f"(order: {self.cart.order_discount.describe()})")
            if self.cart.ship_to is not None:
                parts.append(f"Shipping {format_cents(priced.shipping_cents)}")
            parts.append(f"Tax {format_cents(priced.tax_cents)}")
            total = f"Total {format_cents(priced.total_cents)}"
            text = "    ".join(parts)
            if credit is not None:
                value = format_cents(credit.value_cents)
                text += f"    {total}\nExchange credit for the return of {credit.number} −{value}"
                difference = priced.total_cents - credit.value_cents
                owed = "To pay " if difference >= 0 else "Back to guest "
                total = owed + format_cents(abs(difference))
            self.totals.setText(text)
            self.total.setText(total)
        self.sig_cart_changed.emit()

    # --- editing the cart ---------------------------------------------------------------

    def _selected_line(self) -> int | None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.cart.lines):
            self.say("Tap a line in the cart first.", CART, holds=self._no_line_chosen)
            return None
        return row

    def _no_line_chosen(self) -> bool:
        return not 0 <= self.table.currentRow() < len(self.cart.lines)

    def _on_line(self, row: int) -> Callable[[], bool]:
        """A message about line `row`: true while that line is chosen and nothing changed."""
        since = partial(self._unchanged_since, self._revision)
        return lambda: since() and self.table.currentRow() == row

    def change_quantity(self, delta: int) -> None:
        """One more is always fine; one fewer is a partial void and needs a manager."""
        index = self._selected_line()
        if index is None:
            return
        target = self.cart.lines[index].quantity + delta
        if target < 1:
            self.remove_line()
            return
        if delta > 0:
            self._apply(lambda: self.cart.set_quantity(index, target), index)
            return
        name = self.cart.lines[index].item.name
        self._with_approval(
            Action.VOID_LINE,
            f"{name}: quantity to {target}",
            lambda approval: self.cart.set_quantity(index, target, approval),
            index,
        )

    def remove_line(self) -> None:
        index = self._selected_line()
        if index is None:
            return
        name = self.cart.lines[index].item.name
        self._with_approval(
            Action.VOID_LINE,
            f"remove {name}",
            lambda approval: self.cart.void_line(index, approval),
            None,
        )

    def choose_pack(self) -> None:
        """Bottle, 6-pack or case for the selected line; fewer bottles needs a manager."""
        index = self._selected_line()
        if index is None:
            return
        current = self.cart.lines[index].item
        packs = self.register.catalog.packs(current)
        if len(packs) < 2:
            self.say(f"{current.name} is sold one way only.", CART, holds=self._on_line(index))
            return
        level = self.register.settings.default_price_level
        self.line_dialog = dialog = PackDialog(current, packs, level, self)
        dialog.accepted.connect(lambda: self._pack_chosen(index, current, dialog.chosen))
        dialog.open()

    def _pack_chosen(self, index: int, current: Item, pack: Item | None) -> None:
        if pack is None or pack.sku_id == current.sku_id:
            return
        if pack.units >= current.units:
            self._apply(lambda: self.cart.set_pack(index, pack), index)
            return
        self._with_approval(
            Action.VOID_LINE,
            f"{current.name} to {pack.name}",
            lambda approval: self.cart.set_pack(index, pack, approval),
            index,
        )

    def discount_line(self) -> None:
        index = self._selected_line()
        priced = self.priced() if index is not None else None
        if index is None or priced is None:
            return
        line = self.cart.lines[index]
        base = priced.lines[index].before_manual_cents
        self.line_dialog = dialog = DiscountDialog(line.item.name, base, line.discount, self)
        dialog.accepted.connect(lambda: self._discount_chosen(index, dialog.discount))
        dialog.open()

    def discount_order(self) -> None:
        priced = self.priced()
        if priced is None:
            if not self.cart.lines:
                self.say("The cart is empty.", CART, holds=self._cart_empty)
            return
        base = sum(p.net_cents + p.order_discount_cents for p in priced.lines)
        self.line_dialog = dialog = DiscountDialog(
            "the whole order", base, self.cart.order_discount, self
        )
        dialog.accepted.connect(lambda: self._discount_chosen(None, dialog.discount))
        dialog.open()

    def _discount_chosen(self, index: int | None, discount: Discount | None) -> None:
        """Within the store's limit it applies at once; above it, a manager approves."""

        def change(approval=None) -> None:
            if index is None:
                self.cart.set_order_discount(discount, approval)
            else:
                self.cart.set_line_discount(index, discount, approval)

        if discount is None or not self.register.discount_needs_approval(
            self.cart, index, discount
        ):
            self._apply(change, index)
            return
        subject = "the order" if index is None else self.cart.lines[index].item.name
        self._with_approval(
            Action.DISCOUNT_OVER_LIMIT, f"{discount.describe()} on {subject}", change, index
        )

    def change_price(self) -> None:
        index = self._selected_line()
        if index is None:
            return
        line = self.cart.lines[index]
        list_cents = line.item.price_at(self.register.settings.default_price_level) or 0
        overridden = line.override_cents is not None
        self.line_dialog = dialog = PriceDialog(
            line.item.name, list_cents, overridden, self, limits=self.register.limits
        )
        dialog.accepted.connect(lambda: self._price_chosen(index, dialog.cents))
        dialog.open()

    def _price_chosen(self, index: int, cents: int | None) -> None:
        """A new price always needs a manager; going back to the list price does not."""
        if cents is None:
            self._apply(lambda: self.cart.clear_override(index), index)
            return
        name = self.cart.lines[index].item.name
        self._with_approval(
            Action.PRICE_OVERRIDE,
            f"{name} at {format_cents(cents)}",
            lambda approval: self.cart.override_price(index, cents, approval),
            index,
        )

    def choose_shipping(self) -> None:
        self.line_dialog = dialog = ShipDialog(
            self.register.db, self.cart.customer, self.cart.ship_to, self
        )
        dialog.accepted.connect(lambda: self._shipping_chosen(dialog.ship_to))
        dialog.open()

    def _shipping_chosen(self, ship_to: ShipTo | None) -> None:
        """Shipping changes the tax (the destination's rate) and adds the charge."""
        self.cart.ship_to = ship_to
        self.refresh_cart()
        if ship_to is not None and not self.register.knows_tax_for(ship_to.state):
            self.say(
                f"No tax rate is set for orders shipped to {ship_to.state.upper()}: the store's "
                "own rate applies. A manager can add it in Settings.",
                CART,
                holds=lambda: (
                    self.cart.ship_to is ship_to and not self.register.knows_tax_for(ship_to.state)
                ),
            )

    def _with_approval(self, action: Action, detail: str, change, select: int | None) -> None:
        self.approval_dialog = ApprovalDialog(self.register.db, action, self.staff, detail, self)
        self.approval_dialog.accepted.connect(
            lambda: self._apply(lambda: change(self.approval_dialog.approval), select)
        )
        self.approval_dialog.open()

    def _apply(self, change, select: int | None) -> None:
        try:
            change()
        except (CartError, AuthError) as exc:
            self.say(str(exc), CART, holds=self._on_line(self.table.currentRow()))
            return
        self.refresh_cart()
        if select is not None and select < self.table.rowCount():
            self.table.selectRow(select)

    # --- customer -----------------------------------------------------------------------

    def choose_customer(self) -> None:
        self.customer_dialog = CustomerDialog(self.register.db, self)
        self.customer_dialog.accepted.connect(self._customer_chosen)
        self.customer_dialog.open()

    @Slot()
    def _customer_chosen(self) -> None:
        """Attached: club pricing applies to the cart at once."""
        self.register.attach_customer(self.cart, self.customer_dialog.chosen_id)
        self.refresh_cart()

    # --- paying -------------------------------------------------------------------------

    def start_payment(self) -> None:
        """Age check first when the order has alcohol, then the payment dialog."""
        if self.staff is None:
            return
        if not self.cart.lines:
            self.say("The cart is empty.", CART, holds=self._cart_empty)
            return
        if refusal := self._drawer_refusal():
            self.say(refusal, CART)
            return
        kept = self.tabs.age_check_for(self.cart)
        if needs_check(self.register.settings, self.cart.kinds) and kept is None:
            self.age_dialog = AgeCheckDialog(self.register.settings, self.staff.id, self)
            self.age_dialog.sig_refused.connect(partial(keep_refusal, self.register.db, "sale"))
            self.age_dialog.accepted.connect(self._age_checked)
            self.age_dialog.open()
            return
        self._open_payment(kept)

    def _cart_empty(self) -> bool:
        return not self.cart.lines

    def _drawer_refusal(self) -> str | None:
        """With the store's "drawer required" on and no drawer open here, why nothing can
        be rung before the guest is asked for ID (cash alone is refused at payment, where
        a card-only register still takes cards)."""
        settings = self.register.settings
        if not settings.drawer_required:
            return None
        session_open = current_session(self.register.db) is not None
        return drawer_refusal(settings, session_open=session_open, cash=False)

    @Slot()
    def _age_checked(self) -> None:
        check = self.age_dialog.result if self.age_dialog else None
        self.tabs.keep_age_check(self.cart, check)  # a tab held after all keeps it
        self._open_payment(check)

    def _open_payment(self, check: AgeCheckResult | None) -> None:
        self.payment_dialog = PaymentDialog(
            self.register, self.cart, self.staff, check, self.printer, self, self.exchange
        )
        self.payment_dialog.accepted.connect(self._paid)
        self.payment_dialog.sig_print_problem.connect(self._print_problem)
        self.payment_dialog.open()

    @Slot(str)
    def _print_problem(self, problem: str) -> None:
        """A receipt or drawer pulse that failed, said on the register too: it may fail
        after its dialog has closed (a printer's timeout runs while the next guest is
        rung up)."""
        self.say(problem, CART)

    @Slot()
    def _paid(self) -> None:
        """A new sale at once; the status bar and the favourites follow from the worker.
        Both read the database (the status counts orders: 31 ms at 200,000 sales; the
        first sale of a day works the favourites out again: 77 ms), which the next guest's
        first scan must never wait for."""
        if self.payment_dialog is not None and self.payment_dialog.sale is not None:
            self.new_sale()
            self.sig_sold.emit()
            if self.grid.current_tab == FAVOURITES:  # the same tiles, unless a new day began
                catalog = self.register.catalog
                Op(
                    work=partial(self.favourites.items, catalog),
                    on_done=self._favourites_read,
                    parent=self,
                ).run()

    def _favourites_read(self, items: list[Item]) -> None:
        if self.grid.current_tab == FAVOURITES:
            self.grid.show_items(FAVOURITES, items)
