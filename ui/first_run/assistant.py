"""The set-up assistant: a new store, one question a screen, by touch.

Each step checks what was typed with the engine's own rules (`tastingroom.store_setup`)
before the next one shows, and says what is wrong under it; Back is on every step (on
the first, back to the doors). Nothing is saved along the way: the last step hands all
the answers to `store_setup.set_up_store`, which makes the store with the same calls as
`tastingroom init` and `tastingroom staff add`, in one go that a killed program cannot
leave half done. Whatever may wait on the network or a printer (the WineDirect login
check, the test print, the set-up itself) runs on the register's worker (`ui.worker`),
so the screen never freezes.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tastingroom import store_setup
from tastingroom.devices.printer import PrinterError, config_from, send, test_page
from tastingroom.selling.numbering import generate_prefix
from tastingroom.settings import RECEIPT_WIDTHS, StoreSettings
from tastingroom.store.errors import StoreError
from tastingroom.winedirect.credentials import Credentials
from tastingroom.winedirect.errors import WineDirectError
from ui.pin_pad import PinPad
from ui.worker import Op

REFUSALS = (ValueError, PermissionError, StoreError, WineDirectError)
"""What the engine's checks raise, each with a message for people (`EntryRefused`,
`SettingsError` and `PinsDiffer` among them)."""

ENDPOINTS = ("https://webservices.vin65.com", "https://webservices.aus.vin65.com")
"""WineDirect's web services: the United States, and Australia."""

ZONES_FIRST = (
    "America/Los_Angeles",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/New_York",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Vancouver",
    "America/Toronto",
    "Australia/Adelaide",
    "Australia/Melbourne",
    "Australia/Sydney",
    "Australia/Perth",
    "Pacific/Auckland",
    "Africa/Johannesburg",
    "Europe/London",
    "Europe/Paris",
)
"""Wine country first; every zone this computer knows follows."""

PRINTERS = (
    ("none", "No printer"),
    ("network", "Network"),
    ("usb", "USB"),
    ("serial", "Serial"),
    ("file", "File"),
)
ADDRESS_HINTS = {
    "none": "Receipts are shown on screen.",
    "network": "host:port, e.g. 192.168.1.50:9100",
    "usb": "vendor:product in hex, e.g. 04b8:0202",
    "serial": "the device, e.g. /dev/ttyUSB0 or COM3",
    "file": "a file receipts are added to (for trying things out)",
}


@dataclass
class Step:
    """One screen of the assistant."""

    key: str
    title: str
    explain: str
    page: QWidget
    check: Callable[[], None]
    """Raises one of `REFUSALS` when the step's answers cannot be taken."""
    enter: Callable[[], None] | None = None
    """Runs each time the step is shown."""


def _big(field: QLineEdit) -> QLineEdit:
    field.setMinimumHeight(52)
    return field


class SetupAssistant(QWidget):
    """Asks, checks, and at the end sets up the store in `folder`."""

    sig_back = Signal()
    """Back from the first step: to the doors."""
    sig_done = Signal(object)
    """The new store's database (a `Path`), set up and in place."""

    def __init__(self, folder: Path) -> None:
        super().__init__(objectName="register")
        self.folder = Path(folder)
        self.index = 0
        self.heading = QLabel("", objectName="storeName")
        self.counter = QLabel("", objectName="hint")
        self.explain = QLabel("", objectName="hint", wordWrap=True)
        self.message = QLabel("", objectName="notice", wordWrap=True)
        self.message.setMinimumHeight(48)
        self.stack = QStackedWidget()
        self.back_button = QPushButton("Back", objectName="navButton")
        self.next_button = QPushButton("Next", objectName="payButton")
        for button in (self.back_button, self.next_button):
            button.setMinimumSize(180, 64)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self._pin: str | None = None
        self._first_pin: str | None = None
        self._checked_login: tuple[str, str, str] | None = None
        # Each step's answers, as its check took them (the last step hands them on).
        self.values_store: tuple[str, str] = ("", "")
        self.value_owner = ""
        self.values_codes: tuple[str, ...] = ("", "", "")
        self.value_prefix = ""
        self.value_tax = 0
        self.value_printer = config_from("none", "")
        self.steps = [
            self._store_step(),
            self._owner_step(),
            self._pin_step(),
            self._winedirect_step(),
            self._codes_step(),
            self._prefix_step(),
            self._tax_step(),
            self._printer_step(),
            self._confirm_step(),
        ]
        for step in self.steps:
            step.page.setObjectName("firstRunStep")  # the style sheet's larger fields
            self.stack.addWidget(step.page)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.counter)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.addLayout(top)
        layout.addWidget(self.explain)
        layout.addSpacing(12)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.go(0)

    # --- navigation --------------------------------------------------------------------------

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    def go(self, index: int) -> None:
        self.index = index
        step = self.step
        self.stack.setCurrentWidget(step.page)
        self.heading.setText(step.title)
        self.explain.setText(step.explain)
        self.counter.setText(f"Step {index + 1} of {len(self.steps)}")
        last = index == len(self.steps) - 1
        self.next_button.setText("Set up my winery" if last else "Next")
        self.say("")
        if step.enter is not None:
            step.enter()

    def next(self) -> None:
        """Check this step's answers; on to the next step, or set the store up."""
        try:
            self.step.check()
        except REFUSALS as exc:
            self.say(str(exc))
            return
        if self.index == len(self.steps) - 1:
            self.finish()
        else:
            self.go(self.index + 1)

    def back(self) -> None:
        if self.index == 0:
            self.sig_back.emit()
        else:
            self.go(self.index - 1)

    def say(self, text: str) -> None:
        self.message.setText(text)

    def _busy(self, busy: bool) -> None:
        self.back_button.setEnabled(not busy)
        self.next_button.setEnabled(not busy)

    # --- the store ------------------------------------------------------------------------

    def _store_step(self) -> Step:
        self.store_name = _big(QLineEdit(placeholderText="e.g. Cedar Ridge Tasting Room"))
        self.timezone = QComboBox(editable=True)
        self.timezone.setMinimumHeight(52)
        known = sorted(zoneinfo.available_timezones() - set(ZONES_FIRST))
        self.timezone.addItems([*ZONES_FIRST, *known])
        self.timezone.setCurrentText(StoreSettings.timezone)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Store name", self.store_name)
        form.addRow("Time zone", self.timezone)

        def check() -> None:
            self.values_store = (
                store_setup.check_store_name(self.store_name.text()),
                store_setup.check_timezone(self.timezone.currentText()),
            )

        return Step(
            "store",
            "Your store",
            "The name on receipts and on the lock screen, and the time zone every time on "
            "screen and on receipts is shown in.",
            page,
            check,
        )

    def _owner_step(self) -> Step:
        self.owner_name = _big(QLineEdit(placeholderText="e.g. Dana Cruz"))
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Your name", self.owner_name)

        def check() -> None:
            self.value_owner = store_setup.check_owner_name(self.owner_name.text())

        return Step(
            "owner",
            "You, the owner",
            "Your name as the sign-in button shows it. As the owner you approve voids, "
            "refunds and discounts, change settings and add staff.",
            page,
            check,
        )

    def _pin_step(self) -> Step:
        self.pin_prompt = QLabel("", alignment=Qt.AlignmentFlag.AlignCenter)
        self.pin_pad = PinPad()
        self.pin_pad.sig_entered.connect(self._pin_entered)
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(self.pin_prompt)
        column.addWidget(self.pin_pad, alignment=Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)

        def enter() -> None:
            self._pin = self._first_pin = None
            self.pin_prompt.setText("Type a PIN of 4 to 8 digits, then OK.")
            self.pin_pad.show_message("")
            self.pin_pad.setFocus()

        def check() -> None:
            if self._pin is None:
                raise ValueError("Type your PIN, then the same PIN again.")

        return Step(
            "pin",
            "Your PIN",
            "You sign in with it at the register. It is typed twice, to be sure; it is "
            "kept only as a slow hash, never shown.",
            page,
            check,
            enter,
        )

    def _pin_entered(self, pin: str) -> None:
        if self._first_pin is None:
            try:
                store_setup.check_new_pin(pin, pin)
            except REFUSALS as exc:
                self.pin_pad.show_message(str(exc))
                return
            self._first_pin, self._pin = pin, None
            self.pin_prompt.setText("Type the same PIN again, then OK.")
            self.pin_pad.show_message("")
            return
        try:
            store_setup.check_new_pin(self._first_pin, pin)
        except store_setup.PinsDiffer:
            self._first_pin = None
            self.pin_prompt.setText("Type a PIN of 4 to 8 digits, then OK.")
            self.pin_pad.show_message("The two PINs differ. Type a new PIN, then the same again.")
            return
        self._pin = pin
        self.pin_prompt.setText("Your PIN is set. Tap Next.")
        self.pin_pad.show_message("")

    # --- WineDirect ----------------------------------------------------------------------

    def _winedirect_step(self) -> Step:
        self.url = QComboBox(editable=True)
        self.url.setMinimumHeight(52)
        self.url.addItems(list(ENDPOINTS))
        self.username = _big(QLineEdit(placeholderText="Webservice username"))
        self.password = _big(QLineEdit(placeholderText="Webservice password"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.try_button = QPushButton("Try the login", objectName="payButton")
        self.try_button.setMinimumHeight(56)
        self.try_button.clicked.connect(self.try_login)
        self.results = QLabel("", objectName="checkResults", wordWrap=True)
        self.results.setTextFormat(Qt.TextFormat.PlainText)
        for field in (self.username, self.password):
            field.textChanged.connect(self._login_changed)
        self.url.currentTextChanged.connect(self._login_changed)
        self.offered = store_setup.Offered()
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("WineDirect address", self.url)
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        form.addRow("", self.try_button)
        form.addRow("", self.results)

        def check() -> None:
            if self._checked_login != self._login_typed():
                raise ValueError(
                    "Tap “Try the login” first: every WineDirect service must answer before "
                    "the store is set up."
                )

        return Step(
            "winedirect",
            "Your WineDirect login",
            "The webservice account your WineDirect admin made for the register (Settings > "
            "Users in WineDirect), not your own sign-in. It is tried at once, service by "
            "service, and kept in this computer's keychain, never in a file.",
            page,
            check,
        )

    def _login_typed(self) -> tuple[str, str, str]:
        return (self.url.currentText().strip(), self.username.text().strip(), self.password.text())

    def _login_changed(self) -> None:
        if self._checked_login is not None and self._checked_login != self._login_typed():
            self._checked_login = None
            self.results.setText("The login changed: try it again.")

    def try_login(self) -> None:
        """Try the typed login on the worker: `store_setup.try_login`, the same check as
        `tastingroom winedirect check`, then the codes WineDirect can offer."""
        url, user, password = typed = self._login_typed()
        if not user or not password:
            self.say("Type the webservice username and password.")
            return
        self.say("")
        self.results.setText("Trying the login with each WineDirect service…")
        self.try_button.setEnabled(False)
        self._busy(True)
        login = Credentials(user, password)
        Op(
            work=lambda: store_setup.try_login(url, login),
            on_done=lambda check: self._login_checked(typed, check),
            on_failed=self._login_failed,
            parent=self,
        ).run()

    def _login_checked(self, typed: tuple[str, str, str], check: store_setup.LoginCheck) -> None:
        self.try_button.setEnabled(True)
        self._busy(False)
        if check.unreachable:
            self.results.setText(
                f"Nothing answered at {check.url}. {check.unreachable}\n"
                "Check the address and this computer's network, then try again."
            )
            return
        lines = [f"{'✓' if r.ok else '✗'}  {r.service}: {r.detail}" for r in check.results]
        if check.ok:
            self._checked_login = typed
            self.offered = check.offered
            lines.append("Every service answered. Tap Next.")
        else:
            failed = sum(not r.ok for r in check.results)
            lines.append(
                f"{failed} service(s) refused. Check the username and password (the webservice "
                "account's), then try again, or go Back."
            )
        self.results.setText("\n".join(lines))

    def _login_failed(self, exc: Exception) -> None:
        self.try_button.setEnabled(True)
        self._busy(False)
        self.results.setText(f"Not tried: {exc}")

    # --- codes, prefix, tax --------------------------------------------------------------

    def _codes_step(self) -> Step:
        self.website_code = QComboBox(editable=True)
        self.pickup_location = QComboBox(editable=True)
        self.inventory_pool = QComboBox(editable=True)
        self.codes_source = QLabel("", objectName="hint", wordWrap=True)
        page = QWidget()
        form = QFormLayout(page)
        for label, combo in (
            ("WebsiteCode", self.website_code),
            ("Pickup location code", self.pickup_location),
            ("Inventory pool", self.inventory_pool),
        ):
            combo.setMinimumHeight(52)
            form.addRow(label, combo)
        form.addRow("", self.codes_source)

        def enter() -> None:
            for combo, values in (
                (self.website_code, self.offered.website_codes),
                (self.pickup_location, self.offered.pickup_locations),
                (self.inventory_pool, self.offered.pools),
            ):
                typed = combo.currentText()
                combo.clear()
                combo.addItems(list(values))
                combo.setCurrentText(typed or (values[0] if values else ""))
            seen = any(
                (self.offered.website_codes, self.offered.pickup_locations, self.offered.pools)
            )
            self.codes_source.setText(
                "WineDirect has no call that lists websites, pickup locations or inventory "
                "pools, so the lists hold the codes found on its inventory, club memberships "
                "and recent orders, most used first. "
                + (
                    "Choose yours, or type it."
                    if seen
                    else "None were found (a new account): type them as WineDirect's admin "
                    "shows them."
                )
            )

        def check() -> None:
            from tastingroom import entry

            codes = []
            for combo, label in (
                (self.website_code, "The WebsiteCode"),
                (self.pickup_location, "The pickup location code"),
                (self.inventory_pool, "The inventory pool"),
            ):
                code = entry.text(combo.currentText(), entry.TextField("code", label, 50))
                if not code:
                    raise ValueError(f"{label} is needed: choose it or type it.")
                codes.append(code)
            self.values_codes = tuple(codes)

        return Step(
            "codes",
            "This tasting room in WineDirect",
            "The WebsiteCode the register's orders are sent with, the pickup location whose "
            "web orders are handed over here, and the inventory pool this room sells from.",
            page,
            check,
            enter,
        )

    def _prefix_step(self) -> Step:
        self.prefix = _big(QLineEdit(generate_prefix()))
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Terminal prefix", self.prefix)

        def check() -> None:
            self.value_prefix = store_setup.check_prefix(self.prefix.text(), self.folder)

        return Step(
            "prefix",
            "This register's order numbers",
            "Every sale here is numbered with this prefix (TK7M3-000001 and up), and must be "
            "unique among your registers: WineDirect overwrites an order sent again under a "
            "number it already holds. The one offered was drawn at random for this register; "
            "WineDirect is read for it before the first sale goes up.",
            page,
            check,
        )

    def _tax_step(self) -> Step:
        self.tax = _big(QLineEdit(placeholderText="e.g. 8.625"))
        page = QWidget()
        row = QHBoxLayout()
        row.addWidget(self.tax)
        row.addWidget(QLabel("%"))
        row.addStretch(1)
        form = QFormLayout(page)
        form.addRow("Sales tax here", row)

        def check() -> None:
            self.value_tax = store_setup.check_tax_rate(self.tax.text())

        return Step(
            "tax",
            "Sales tax",
            "The rate charged on what is bought and taken away here. Rates for the states you "
            "ship to are set later, in Settings.",
            page,
            check,
        )

    # --- the printer ---------------------------------------------------------------------

    def _printer_step(self) -> Step:
        self.printer_group = QButtonGroup(self)
        kinds = QHBoxLayout()
        self.printer_buttons: dict[str, QPushButton] = {}
        for kind, label in PRINTERS:
            button = QPushButton(label, objectName="navButton", checkable=True)
            button.setMinimumHeight(56)
            button.clicked.connect(self._printer_kind_changed)
            self.printer_group.addButton(button)
            self.printer_buttons[kind] = button
            kinds.addWidget(button)
        self.printer_buttons["none"].setChecked(True)
        self.printer_address = _big(QLineEdit())
        self.paper = QComboBox()
        self.paper.setMinimumHeight(52)
        for columns, label in RECEIPT_WIDTHS.items():
            self.paper.addItem(label, columns)
        self.paper.setCurrentIndex(self.paper.findData(StoreSettings.receipt_columns))
        self.test_button = QPushButton("Test print", objectName="payButton")
        self.test_button.setMinimumHeight(56)
        self.test_button.clicked.connect(self.test_print)
        self.printed = QLabel("", objectName="hint", wordWrap=True)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Receipt printer", kinds)
        form.addRow("Address", self.printer_address)
        form.addRow("Paper", self.paper)
        form.addRow("", self.test_button)
        form.addRow("", self.printed)
        self._printer_kind_changed()

        def check() -> None:
            self.value_printer = config_from(self.printer_kind, self.printer_address.text())

        return Step(
            "printer",
            "The receipt printer",
            "An ESC/POS receipt printer on the network, USB or a serial port; or none, and "
            "receipts are shown on screen. A test page proves it before you go on.",
            page,
            check,
        )

    @property
    def printer_kind(self) -> str:
        return next(k for k, b in self.printer_buttons.items() if b.isChecked())

    def _printer_kind_changed(self) -> None:
        kind = self.printer_kind
        self.printer_address.setPlaceholderText(ADDRESS_HINTS[kind])
        self.printer_address.setEnabled(kind != "none")
        self.test_button.setEnabled(kind != "none")
        self.printed.setText("")

    def test_print(self) -> None:
        """A test page through the register's own printer path (`devices.printer`), on
        the worker: a network printer that is off would otherwise freeze the screen."""
        try:
            config = config_from(self.printer_kind, self.printer_address.text())
        except ValueError as exc:
            self.printed.setText(str(exc))
            return
        page = test_page(self.store_name.text().strip() or "Tastingroom")
        self.printed.setText("Sending a test page…")
        self.test_button.setEnabled(False)
        Op(
            work=lambda: send(config, page),
            on_done=self._test_printed,
            on_failed=self._test_failed,
            parent=self,
        ).run()

    def _test_printed(self, printed: bool) -> None:
        self.test_button.setEnabled(True)
        self.printed.setText(
            "Test page sent: it should show the store's name and “Rosé, Gewürztraminer, Côte”."
            if printed
            else "No printer is chosen."
        )

    def _test_failed(self, exc: Exception) -> None:
        self.test_button.setEnabled(True)
        self.printed.setText(str(exc) if isinstance(exc, PrinterError) else f"Not sent: {exc}")

    # --- the end ---------------------------------------------------------------------------

    def _confirm_step(self) -> Step:
        self.summary = QLabel("", wordWrap=True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(self.summary)
        column.addStretch(1)

        def enter() -> None:
            name, zone = self.values_store
            website, pickup, pool = self.values_codes
            printer = self.value_printer
            self.summary.setText(
                "\n".join(
                    (
                        f"Store: {name}  ({zone})",
                        f"Owner: {self.value_owner}  (PIN set)",
                        f"WineDirect: {self._checked_login[0]} as {self._checked_login[1]}",
                        f"WebsiteCode {website} · pickup location {pickup} · inventory pool {pool}",
                        f"Order numbers: {self.value_prefix}-000001 and up",
                        f"Sales tax: {self.tax.text().strip().rstrip('%') or '0'}%",
                        "Receipt printer: "
                        + ("none (receipts on screen)" if printer.kind == "none" else printer.where)
                        + f", {self.paper.currentText()}",
                    )
                )
            )

        return Step(
            "confirm",
            "Ready",
            "Nothing has been saved yet. Set up makes the store, adds you as its owner, keeps "
            "the login in the keychain, and opens the register on your lock screen while the "
            "first sync brings your catalog, customers and pickups down from WineDirect.",
            page,
            lambda: None,
            enter,
        )

    def answers(self) -> store_setup.StoreSetup:
        """Everything asked, as the engine takes it."""
        assert self._pin is not None and self._checked_login is not None
        name, zone = self.values_store
        website, pickup, pool = self.values_codes
        url, user, password = self._checked_login
        return store_setup.StoreSetup(
            store_name=name,
            timezone=zone,
            owner_name=self.value_owner,
            owner_pin=self._pin,
            winedirect_url=url,
            credentials=Credentials(user, password),
            website_code=website,
            pickup_location=pickup,
            inventory_pool=pool,
            terminal_prefix=self.value_prefix,
            tax_rate_ppm=self.value_tax,
            printer_kind=self.printer_kind,
            printer_address=self.printer_address.text().strip(),
            receipt_columns=self.paper.currentData(),
        )

    def finish(self) -> None:
        """Set the store up on the worker; `sig_done` once it is in place."""
        setup = self.answers()
        folder = self.folder
        self._busy(True)
        self.say("Setting up your store…")
        Op(
            work=lambda: store_setup.set_up_store(folder, setup),
            on_done=self._set_up,
            on_failed=self._not_set_up,
            parent=self,
        ).run()

    def _set_up(self, database: Path) -> None:
        self.password.clear()
        self._pin = self._first_pin = None
        self.say("")
        self.sig_done.emit(database)

    def _not_set_up(self, exc: Exception) -> None:
        self._busy(False)
        self.say(f"Not set up: {exc} Nothing was kept; try again, or go Back.")
