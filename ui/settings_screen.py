"""Settings, for managers and the owner: the WineDirect login (kept in the system
keyring, never in the database), where and as whom this terminal syncs, the tax rate,
the store's limits on amounts typed at the counter, the cash drawer's rules and the
refund window, the receipt printer with a test print, and the favourites pinned first on
the register. Every value is checked by the
engine before anything is saved; a limit that is not dollars and cents is said under its
field. The form scrolls, so that its last line shows on a small screen; the message and
the Save button stay in view below it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tastingroom import entry
from tastingroom.catalog.favourites import FAVOURITE_COUNT, PinRefused, pinned, set_pinned
from tastingroom.devices.printer import KINDS, PrinterError, config_from, send, test_page
from tastingroom.entry import EntryRefused
from tastingroom.money import MoneyError, format_cents, percent_to_ppm, ppm_to_percent
from tastingroom.people.staff import AuthError, StaffMember
from tastingroom.selling.sales import Register
from tastingroom.settings import (
    LIMIT_SETTINGS,
    RECEIPT_WIDTHS,
    SettingsError,
    format_tax_rates,
    parse_tax_rates,
    save_settings,
    save_tax_rates,
    tax_rates,
)
from tastingroom.winedirect.client import check_base_url
from tastingroom.winedirect.credentials import Credentials, store_credentials
from tastingroom.winedirect.errors import WineDirectError
from ui.field_messages import FieldMessages
from ui.worker import Op

DEMO_URL_TEXT = "Built-in WineDirect simulator (demo)"
DEMO_BANNER = (
    "Demo mode: this register sells the Vallée Lune demo winery and syncs with a "
    "simulated WineDirect running inside it. Nothing reaches a real WineDirect account. "
    "To go live, set up a new register database for your winery (README: Going live)."
)
PINS = "pinned_favourites"
OVER_SHORT = "drawer_over_short_limit_cents"
OVER_SHORT_AMOUNT = entry.Amount(OVER_SHORT, "The drawer's over/short limit")
"""The message label under the pinned favourites."""
PIN_RESULTS = 6
"""Matches listed to pin from: enough to choose among, few enough to leave the page short."""


class SettingsScreen(QWidget):
    sig_favourites_changed = Signal()
    """The pinned favourites changed: the register's tiles follow."""

    def __init__(
        self,
        register: Register,
        staff: Callable[[], StaffMember | None],
        on_saved: Callable[[], None],
    ) -> None:
        super().__init__(objectName="register")
        self.register = register
        self.current_staff = staff
        self.on_saved = on_saved
        self.username = QLineEdit(placeholderText="Webservice username")
        self.password = QLineEdit(placeholderText="Webservice password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        save_login = QPushButton("Save login to the keyring", objectName="saveLogin")
        save_login.clicked.connect(self.save_login)
        self.url = QLineEdit()
        self.website_code = QLineEdit()
        self.pickup_location = QLineEdit()
        self.inventory_pool = QLineEdit()
        self.prefix = QLineEdit()
        self.tax = QLineEdit()
        self.state_taxes = QLineEdit(placeholderText="CA 7.25, OR 0, TX 6.25")
        self.state_taxes.setToolTip(
            "Sales tax for orders shipped to each state; other states pay the store's rate."
        )
        self.demo_banner = QLabel("", objectName="notice")
        self.demo_banner.setWordWrap(True)
        self.idle_lock = QSpinBox(minimum=0, maximum=240, suffix=" min")
        self.idle_lock.setSpecialValueText("never (Lock button only)")
        self.printer_kind = QComboBox()
        self.printer_kind.addItems(list(KINDS))
        self.printer_address = QLineEdit(placeholderText="host:port, vid:pid, /dev/… or a file")
        self.receipt_width = QComboBox()
        for columns, label in RECEIPT_WIDTHS.items():
            self.receipt_width.addItem(label, columns)
        save = QPushButton("Save settings", objectName="payButton")
        save.clicked.connect(self.save)
        test = QPushButton("Test print")
        test.clicked.connect(self.test_print)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.messages = FieldMessages(self.message)
        self.limits = {name: QLineEdit(placeholderText="0.00") for name in LIMIT_SETTINGS}
        self.drawer_required = QCheckBox("Sell only with the cash drawer open (counted float)")
        self.card_only = QCheckBox("Cards may still be taken with no drawer (a market stand)")
        self.drawer_required.toggled.connect(self.card_only.setEnabled)
        self.over_short = QLineEdit(placeholderText="5.00")
        self.refund_days = QSpinBox(minimum=1, maximum=3650, suffix=" days")
        login = QFormLayout()
        login.addRow("WineDirect username", self.username)
        login.addRow("WineDirect password", self.password)
        form = QFormLayout()
        form.addRow("WineDirect address", self.url)
        form.addRow("WebsiteCode", self.website_code)
        form.addRow("Pickup location code", self.pickup_location)
        form.addRow("Inventory pool", self.inventory_pool)
        form.addRow("Terminal prefix", self.prefix)
        form.addRow("Sales tax here (%)", self.tax)
        form.addRow("Shipped to (state %)", self.state_taxes)
        form.addRow("Lock when idle for", self.idle_lock)
        for name, label in LIMIT_SETTINGS.items():
            form.addRow(f"{label} ($)", self.messages.under(name, self.limits[name]))
        form.addRow("Cash drawer", self.drawer_required)
        form.addRow("", self.card_only)
        form.addRow(
            "Over/short needing a reason ($)", self.messages.under(OVER_SHORT, self.over_short)
        )
        form.addRow("Refunds accepted for", self.refund_days)
        form.addRow("Receipt printer", self.printer_kind)
        form.addRow("Printer address", self.printer_address)
        form.addRow("Receipt paper", self.receipt_width)
        buttons = QHBoxLayout()
        buttons.addWidget(test)
        buttons.addStretch(1)
        buttons.addWidget(save)
        page = QWidget(objectName="register")
        content = QVBoxLayout(page)
        content.addWidget(self.demo_banner)
        content.addLayout(login)
        content.addWidget(save_login)
        content.addLayout(form)
        content.addWidget(self.messages.under(PINS, self._build_favourites()))
        content.addStretch(1)
        self.scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.load()

    # --- pinned favourites -----------------------------------------------------------

    def _build_favourites(self) -> QWidget:
        """Find a product and pin it; order the pinned ones. They apply at once."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 12, 0, 0)
        column.addWidget(QLabel("<b>Favourites on the register</b>"))
        hint = QLabel(
            f"Pinned products come first on the Favourites page, in this order (up to "
            f"{FAVOURITE_COUNT}); this store's best sellers fill the rest, in places fixed for "
            "the day. Changes apply at once.",
            objectName="hint",
        )
        hint.setWordWrap(True)
        column.addWidget(hint)
        self.pin_search = QLineEdit(placeholderText="Find a product to pin: name or code")
        self.pin_search.textChanged.connect(self._find_to_pin)
        self.pin_search.returnPressed.connect(self.pin_highlighted)
        for key, step in ((Qt.Key.Key_Down, 1), (Qt.Key.Key_Up, -1)):
            shortcut = QShortcut(QKeySequence(key), self.pin_search)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda s=step: self._step_found(s))
        self.pin_button = QPushButton("Pin")
        self.pin_button.clicked.connect(self.pin_highlighted)
        find = QHBoxLayout()
        find.addWidget(self.pin_search, 1)
        find.addWidget(self.pin_button)
        self.pin_results = QListWidget()
        self.pin_results.setVisible(False)
        self.pin_results.itemDoubleClicked.connect(self.pin_highlighted)
        self.pinned_list = QListWidget()
        self.up_button = QPushButton("Up")
        self.up_button.clicked.connect(lambda: self.move_pinned(-1))
        self.down_button = QPushButton("Down")
        self.down_button.clicked.connect(lambda: self.move_pinned(+1))
        self.unpin_button = QPushButton("Unpin")
        self.unpin_button.clicked.connect(self.unpin)
        order = QVBoxLayout()
        for button in (self.up_button, self.down_button, self.unpin_button):
            order.addWidget(button)
        order.addStretch(1)
        pinned_row = QHBoxLayout()
        pinned_row.addWidget(self.pinned_list, 1)
        pinned_row.addLayout(order)
        column.addLayout(find)
        column.addWidget(self.pin_results)
        column.addLayout(pinned_row)
        return box

    def _load_pinned(self, select: int | None = None) -> None:
        self.pinned_list.clear()
        for position, item in enumerate(pinned(self.register.db, self.register.catalog), 1):
            row = QListWidgetItem(f"{position}. {item.name} · {item.code}")
            row.setData(Qt.ItemDataRole.UserRole, item.sku_id)
            self.pinned_list.addItem(row)
        rows = max(3, self.pinned_list.count())
        self.pinned_list.setFixedHeight(self._rows_height(self.pinned_list, rows))
        if select is not None and 0 <= select < self.pinned_list.count():
            self.pinned_list.setCurrentRow(select)

    @staticmethod
    def _rows_height(rows: QListWidget, count: int) -> int:
        """A list tall enough for `count` rows, so the page scrolls rather than the list."""
        row = rows.sizeHintForRow(0) if rows.count() else rows.fontMetrics().height() + 22
        return row * count + 2 * rows.frameWidth()

    def _pinned_ids(self) -> list[str]:
        return [
            self.pinned_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.pinned_list.count())
        ]

    def _find_to_pin(self, text: str) -> None:
        """Products matching what is typed, the first highlighted (Enter pins it)."""
        self.pin_results.clear()
        found = self.register.catalog.search(text, limit=PIN_RESULTS) if text.strip() else []
        for item in found:
            row = QListWidgetItem(f"{item.name} · {item.code}")
            row.setData(Qt.ItemDataRole.UserRole, item.sku_id)
            self.pin_results.addItem(row)
        if found:
            self.pin_results.setCurrentRow(0)
            self.pin_results.setFixedHeight(self._rows_height(self.pin_results, len(found)))
        self.pin_results.setVisible(bool(found))

    def _step_found(self, step: int) -> None:
        if self.pin_results.count():
            row = self.pin_results.currentRow() + step
            self.pin_results.setCurrentRow(min(max(row, 0), self.pin_results.count() - 1))

    def pin_highlighted(self) -> None:
        """Pin the highlighted product last among the pinned."""
        row = self.pin_results.currentItem()
        if row is None:
            self.messages.say("Type a product's name or code, then pin it.", PINS)
            return
        sku_id = row.data(Qt.ItemDataRole.UserRole)
        ids = self._pinned_ids()
        if sku_id in ids:
            self.messages.say(f"{row.text()} is pinned already.", PINS)
            return
        if self._save_pins([*ids, sku_id], len(ids)):
            self.pin_search.clear()

    def move_pinned(self, step: int) -> None:
        """Move the chosen pinned product one place up (-1) or down (+1)."""
        ids = self._pinned_ids()
        index = self.pinned_list.currentRow()
        target = index + step
        if not 0 <= index < len(ids):
            self.messages.say("Tap a pinned product first.", PINS)
            return
        if not 0 <= target < len(ids):
            return  # already first (or last)
        ids[index], ids[target] = ids[target], ids[index]
        self._save_pins(ids, target)

    def unpin(self) -> None:
        ids = self._pinned_ids()
        index = self.pinned_list.currentRow()
        if not 0 <= index < len(ids):
            self.messages.say("Tap a pinned product first.", PINS)
            return
        del ids[index]
        self._save_pins(ids, min(index, len(ids) - 1))

    def _save_pins(self, ids: list[str], select: int) -> bool:
        """Pin `ids` in this order (the engine checks who asks); the register follows."""
        staff = self.current_staff()
        try:
            if staff is None:
                raise AuthError("Sign in as a manager to pin favourites.")
            set_pinned(self.register.db, ids, staff)
        except (AuthError, PinRefused) as exc:
            self.messages.say(str(exc), PINS)
            return False
        self.messages.clear()
        self._load_pinned(select)
        self.sig_favourites_changed.emit()
        return True

    def load(self) -> None:
        self.messages.clear()
        s = self.register.settings
        self.url.setText(DEMO_URL_TEXT if s.demo_mode else s.winedirect_url)
        self.demo_banner.setText(DEMO_BANNER if s.demo_mode else "")
        self.demo_banner.setVisible(s.demo_mode)
        self.website_code.setText(s.website_code)
        self.pickup_location.setText(s.pickup_location)
        self.inventory_pool.setText(s.inventory_pool)
        self.prefix.setText(s.terminal_prefix)
        self.tax.setText(f"{ppm_to_percent(s.tax_rate_ppm):f}")
        with self.register.db.read() as session:
            self.state_taxes.setText(format_tax_rates(tax_rates(session)))
        self.idle_lock.setValue(s.idle_lock_minutes)
        for name, field in self.limits.items():
            field.setText(format_cents(getattr(s, name), symbol=""))
        self.drawer_required.setChecked(s.drawer_required)
        self.card_only.setChecked(s.card_only_without_drawer)
        self.over_short.setText(format_cents(s.drawer_over_short_limit_cents, symbol=""))
        self.refund_days.setValue(s.refund_max_age_days)
        self.printer_kind.setCurrentText(s.printer_kind)
        self.printer_address.setText(s.printer_address)
        self.receipt_width.setCurrentIndex(self.receipt_width.findData(s.receipt_columns))
        staff = self.current_staff()
        allowed = staff is not None and staff.can_approve
        for kind in (QLineEdit, QPushButton, QComboBox, QSpinBox, QCheckBox):
            for child in self.findChildren(kind):
                child.setEnabled(allowed)
        self.card_only.setEnabled(allowed and s.drawer_required)
        if s.demo_mode:  # the demo always talks to its own simulator
            for field in (self.username, self.password, self.url):
                field.setEnabled(False)
            self.findChild(QPushButton, "saveLogin").setEnabled(False)
        self.pin_search.clear()
        self._load_pinned()
        self.message.setText("" if allowed else "Only a manager or the owner can change settings.")

    def save_login(self) -> None:
        user, password = self.username.text().strip(), self.password.text()
        if not user or not password:
            self.message.setText("Enter both the webservice username and password.")
            return
        try:
            store_credentials(Credentials(user, password))
        except WineDirectError as exc:
            self.message.setText(str(exc))
            return
        self.password.clear()
        self.message.setText(f"The WineDirect login for {user} is saved in the system keyring.")

    def _limits(self) -> dict[str, int]:
        """The limits as typed, in cents; `EntryRefused` names one that is not an amount."""
        return {
            name: entry.dollars(field.text(), entry.Amount(name, LIMIT_SETTINGS[name]))
            for name, field in self.limits.items()
        }

    def save(self) -> None:
        self.messages.clear()
        try:
            limits = self._limits()
            over_short = entry.dollars(self.over_short.text(), OVER_SHORT_AMOUNT)
        except EntryRefused as exc:
            self.messages.show(exc)
            self.scroll.ensureWidgetVisible(self.messages.labels.get(exc.field, self.message))
            return
        try:
            demo = self.register.settings.demo_mode
            url = self.register.settings.winedirect_url if demo else check_base_url(self.url.text())
            tax = percent_to_ppm(self.tax.text().strip().rstrip("%") or "0")
            states = parse_tax_rates(self.state_taxes.text())
            kind, address = self.printer_kind.currentText(), self.printer_address.text()
            config_from(kind, address)
            with self.register.db.write() as s:
                save_settings(
                    s,
                    winedirect_url=url,
                    website_code=self.website_code.text().strip(),
                    pickup_location=self.pickup_location.text().strip(),
                    inventory_pool=self.inventory_pool.text().strip(),
                    terminal_prefix=self.prefix.text().strip().upper(),
                    tax_rate_ppm=tax,
                    printer_kind=kind,
                    printer_address=address.strip(),
                    receipt_columns=self.receipt_width.currentData(),
                    idle_lock_minutes=self.idle_lock.value(),
                    drawer_required=self.drawer_required.isChecked(),
                    card_only_without_drawer=self.card_only.isChecked(),
                    drawer_over_short_limit_cents=over_short,
                    refund_max_age_days=self.refund_days.value(),
                    **limits,
                )
                save_tax_rates(s, states)
        except (WineDirectError, SettingsError, MoneyError, ValueError, ArithmeticError) as exc:
            self.message.setText(f"Not saved: {exc}")
            return
        self.register.reload_settings()
        self.state_taxes.setText(format_tax_rates(states))
        self.on_saved()
        self.message.setText("Settings saved.")

    def test_print(self) -> None:
        """Send a test page on the register's worker: a printer that is switched off must
        not freeze the screen while its connection times out."""
        try:
            config = config_from(self.printer_kind.currentText(), self.printer_address.text())
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        page = test_page(self.register.settings.store_name)
        self.message.setText("Sending a test page…")
        Op(
            work=lambda: send(config, page),
            on_done=lambda printed: self.message.setText(
                "Test page sent." if printed else "No printer is chosen."
            ),
            on_failed=self._test_print_failed,
            parent=self,
        ).run()

    def _test_print_failed(self, exc: Exception) -> None:
        self.message.setText(str(exc) if isinstance(exc, PrinterError) else f"Not sent: {exc}")
