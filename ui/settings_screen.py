"""Settings, for managers and the owner: the WineDirect login (kept in the system
keyring, never in the database), where and as whom this terminal syncs, the tax rate,
the store's limits on amounts typed at the counter, and the receipt printer with a test
print. Every value is checked by the engine before anything is saved; a limit that is
not dollars and cents is said under its field."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tastingroom import entry
from tastingroom.devices.printer import KINDS, PrinterError, config_from, send, test_page
from tastingroom.entry import EntryRefused
from tastingroom.money import MoneyError, format_cents, percent_to_ppm, ppm_to_percent
from tastingroom.sales import Register
from tastingroom.settings import (
    LIMIT_SETTINGS,
    SettingsError,
    format_tax_rates,
    parse_tax_rates,
    save_settings,
    save_tax_rates,
    tax_rates,
)
from tastingroom.staff import StaffMember
from tastingroom.winedirect.client import check_base_url
from tastingroom.winedirect.credentials import Credentials, store_credentials
from tastingroom.winedirect.errors import WineDirectError
from ui.field_messages import FieldMessages

DEMO_URL_TEXT = "Built-in WineDirect simulator (demo)"
DEMO_BANNER = (
    "Demo mode: this register sells the Vallée Lune demo winery and syncs with a "
    "simulated WineDirect running inside it. Nothing reaches a real WineDirect account. "
    "To go live, set up a new register database for your winery (README: Going live)."
)


class SettingsScreen(QWidget):
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
        save = QPushButton("Save settings", objectName="payButton")
        save.clicked.connect(self.save)
        test = QPushButton("Test print")
        test.clicked.connect(self.test_print)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.messages = FieldMessages(self.message)
        self.limits = {name: QLineEdit(placeholderText="0.00") for name in LIMIT_SETTINGS}
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
        form.addRow("Receipt printer", self.printer_kind)
        form.addRow("Printer address", self.printer_address)
        buttons = QHBoxLayout()
        buttons.addWidget(test)
        buttons.addStretch(1)
        buttons.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.demo_banner)
        layout.addLayout(login)
        layout.addWidget(save_login)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.load()

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
        self.printer_kind.setCurrentText(s.printer_kind)
        self.printer_address.setText(s.printer_address)
        staff = self.current_staff()
        allowed = staff is not None and staff.can_approve
        for kind in (QLineEdit, QPushButton, QComboBox, QSpinBox):
            for child in self.findChildren(kind):
                child.setEnabled(allowed)
        if s.demo_mode:  # the demo always talks to its own simulator
            for field in (self.username, self.password, self.url):
                field.setEnabled(False)
            self.findChild(QPushButton, "saveLogin").setEnabled(False)
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
        except EntryRefused as exc:
            self.messages.show(exc)
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
                    idle_lock_minutes=self.idle_lock.value(),
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
        try:
            config = config_from(self.printer_kind.currentText(), self.printer_address.text())
            printed = send(config, test_page(self.register.settings.store_name))
        except (ValueError, PrinterError) as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("Test page sent." if printed else "No printer is chosen.")
