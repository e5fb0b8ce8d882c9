"""The open tabs at the register: a strip over the cart (each tab's name and total, one
tap resumes it, the tab on screen highlighted), "Hold as tab…" and "Abandon tab…".

The rules are the engine's (`tastingroom.selling.tabs`): this panel only decides what a
tap means for the cart on screen, so that no cart is ever silently lost:
- holding a cart that is already a tab holds it again under its name, without asking;
  a new cart is named first (`TabNameDialog`), after its age check when it has alcohol
  (the party is being served now; the tab keeps the check, so payment does not ask again);
- resuming while the cart on screen has lines holds it first: at once if it is a tab,
  after asking if it is not;
- clearing a resumed tab ("New sale") puts it back as last held (`tabs.release`);
  abandoning one is a manager's decision.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QWidget,
)

from tastingroom.money import format_cents
from tastingroom.people.staff import Action, AuthError
from tastingroom.selling import tabs
from tastingroom.selling.age import AgeCheckResult, needs_check
from tastingroom.selling.cart import Cart
from tastingroom.selling.tabs import TabError, TabInfo
from ui.age_check_dialog import AgeCheckDialog
from ui.approval_dialog import ApprovalDialog
from ui.dialog_footer import TOUCH_HEIGHT
from ui.tab_name_dialog import TabNameDialog

if TYPE_CHECKING:
    from collections.abc import Callable

    from ui.register_screen import RegisterScreen

CART = "cart"
"""The screen's place for words about the cart (`ui.register_screen.CART`, which imports
this module, so it cannot be imported from there)."""


class TabsPanel(QWidget):
    """The strip of open tabs; the screen places it, `hold_button` and `abandon_button`."""

    def __init__(self, screen: RegisterScreen) -> None:
        super().__init__(objectName="tabsStrip")
        self.screen = screen
        self.register = screen.register
        self.open: dict[str, TabInfo] = {}
        """The open tabs as last read, by id."""
        self.buttons: dict[str, QPushButton] = {}
        self.name_dialog: TabNameDialog | None = None
        self.ask_box: QMessageBox | None = None
        self._kept: tuple[Cart, AgeCheckResult] | None = None
        """The age check done for the cart on screen (the very cart), kept with its tab."""
        self.hold_button = QPushButton("Hold as tab…", objectName="lineButton")
        self.hold_button.setMinimumHeight(TOUCH_HEIGHT)
        self.hold_button.clicked.connect(self.hold)
        self.abandon_button = QPushButton("Abandon tab…", objectName="lineButton")
        self.abandon_button.setMinimumHeight(TOUCH_HEIGHT)
        self.abandon_button.clicked.connect(self.abandon)
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel("No open tabs. “Hold as tab…” keeps a party's cart until they pay.")
        self.empty.setObjectName("hint")
        inner = QWidget(objectName="tabsRow")
        inner.setLayout(self.row)
        scroll = QScrollArea(
            objectName="tabsScroll", frameShape=QFrame.Shape.NoFrame, widgetResizable=True
        )
        scroll.setWidget(inner)
        for backdrop in (inner, scroll.viewport()):
            backdrop.setAutoFillBackground(False)  # the screen's own colour shows through
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedHeight(TOUCH_HEIGHT + 8)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Tabs"))
        layout.addWidget(scroll, 1)
        screen.sig_cart_changed.connect(self._follow_cart)
        self.reload()

    def dialogs(self) -> list[QWidget]:
        return [d for d in (self.name_dialog, self.ask_box) if d is not None]

    # --- what the screen shows ------------------------------------------------------

    def title(self) -> str:
        """The cart's label: "Tab: <name>" for a resumed tab."""
        tab = self.open.get(self.screen.cart.tab_id or "")
        return f"Tab: {tab.name}" if tab else "Cart"

    def age_check_for(self, cart: Cart) -> AgeCheckResult | None:
        """The age check kept for `cart` (its tab's, or one done before its payment was
        cancelled), if any."""
        if self._kept is not None and self._kept[0] is cart:
            return self._kept[1]
        return None

    def keep_age_check(self, cart: Cart, check: AgeCheckResult | None) -> None:
        if check is not None and check.passed:
            self._kept = (cart, check)

    def reload(self) -> None:
        """Read the open tabs again (a handful of rows) and show them."""
        self.open = {info.id: info for info in tabs.open_tabs(self.register)}
        while self.row.count():
            widget = self.row.takeAt(0).widget()
            if widget is not None and widget is not self.empty:
                widget.hide()  # at once: deleteLater waits for the event loop
                widget.deleteLater()
        self.buttons = {}
        for info in self.open.values():
            button = QPushButton(
                f"{info.name} · {format_cents(info.total_cents)}",
                objectName="partyTab",
                checkable=True,
            )
            button.setMinimumHeight(TOUCH_HEIGHT)
            button.setToolTip(f"{info.line_count} line(s), opened by {info.opened_by_name}")
            button.clicked.connect(partial(self.resume, info.id))
            self.row.addWidget(button)
            self.buttons[info.id] = button
        self.row.addWidget(self.empty)
        self.empty.setVisible(not self.open)
        self.row.addStretch(1)
        self._follow_cart()

    def _follow_cart(self) -> None:
        """The tab on screen highlighted; abandoning offered only for a tab."""
        current = self.screen.cart.tab_id
        for tab_id, button in self.buttons.items():
            button.setChecked(tab_id == current)
        self.abandon_button.setEnabled(current is not None)

    # --- holding --------------------------------------------------------------------

    def hold(self) -> None:
        self._hold_then(None)

    def _hold_then(self, then: Callable[[], None] | None) -> None:
        """Hold the cart on screen (see the module docstring), then `then`."""
        cart, staff = self.screen.cart, self.screen.staff
        if staff is None:
            return
        if not cart.lines:
            self.screen.say("The cart is empty: there is nothing to hold as a tab.", CART)
            return
        if cart.tab_id is not None:
            try:
                self._hold_as(self.open[cart.tab_id].name)
            except (TabError, KeyError):
                self.screen.say(
                    "This tab was closed meanwhile: hold the cart under a new name.", CART
                )
                cart.tab_id = None
                return
            if then is not None:
                then()
            return
        if needs_check(self.register.settings, cart.kinds) and self.age_check_for(cart) is None:
            self.screen.age_dialog = dialog = AgeCheckDialog(
                self.register.settings, staff.id, self.screen
            )
            dialog.setWindowTitle("Check ID for the tab")
            dialog.accepted.connect(lambda: self._age_checked(cart, dialog.result, then))
            dialog.open()
            return
        self._ask_name(then)

    def _age_checked(
        self, cart: Cart, check: AgeCheckResult | None, then: Callable[[], None] | None
    ) -> None:
        self.keep_age_check(cart, check)
        self._ask_name(then)

    def _ask_name(self, then: Callable[[], None] | None) -> None:
        names = [info.name for info in self.open.values()]
        self.name_dialog = TabNameDialog(names, self._hold_as, self.screen)
        if then is not None:
            self.name_dialog.accepted.connect(then)
        self.name_dialog.open()

    def _hold_as(self, name: str) -> None:
        """Hold the cart on screen as `name` (or raise `TabError`); a new cart follows."""
        cart = self.screen.cart
        tabs.hold(self.register, cart, name, self.screen.staff, self.age_check_for(cart))
        self._kept = None
        self.screen.show_cart(self.register.new_cart(self.screen.staff.id))
        self.reload()

    # --- resuming and putting back --------------------------------------------------

    def resume(self, tab_id: str) -> None:
        """One tap: the tab on screen, after the cart that was there is kept."""
        cart = self.screen.cart
        if tab_id == cart.tab_id or self.screen.staff is None:
            self._follow_cart()
            return
        if cart.lines and cart.tab_id is None:
            self._follow_cart()
            name = self.open[tab_id].name
            self.ask_box = box = QMessageBox(self.screen)
            box.setWindowTitle("Keep this cart")
            box.setText(f"The cart on screen is not a tab yet. Hold it as a tab, then open {name}?")
            keep = box.addButton("Hold it as a tab", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
            box.buttonClicked.connect(
                lambda button: button is keep and self._hold_then(partial(self._resume, tab_id))
            )
            box.open()
            return
        if cart.lines:
            self._hold_then(partial(self._resume, tab_id))
            return
        self.put_back(cart)
        self._resume(tab_id)

    def _resume(self, tab_id: str) -> None:
        try:
            back = tabs.resume(self.register, tab_id, self.screen.staff)
        except TabError as exc:
            self.reload()
            self.screen.say(str(exc), CART)
            return
        self._kept = None
        self.keep_age_check(back.cart, back.age_check)
        self.screen.show_cart(back.cart)
        self.reload()
        if back.notice:
            self.screen.say(back.notice, CART)

    def put_back(self, cart: Cart) -> None:
        """The cart leaves the screen unpaid (New sale): a resumed tab goes back to the
        list with what was added since (held again under its name, so no pour rung for
        the party is lost); after a payment, its tab has gone from the list."""
        check = self.age_check_for(cart)
        self._kept = None
        if cart.tab_id is None:
            return
        still_open = {info.id: info for info in tabs.open_tabs(self.register)}
        tab, staff = still_open.get(cart.tab_id), self.screen.staff  # a paid tab is not
        if tab is not None and cart.lines and staff is not None:
            try:
                tabs.hold(self.register, cart, tab.name, staff, check)
            except TabError as exc:
                tabs.release(self.register.db, cart.tab_id)
                self.screen.say(f"{tab.name}'s tab went back as it was last held: {exc}")
        elif tab is not None:
            tabs.release(self.register.db, cart.tab_id)
        self.reload()

    # --- abandoning -----------------------------------------------------------------

    def abandon(self) -> None:
        tab = self.open.get(self.screen.cart.tab_id or "")
        staff = self.screen.staff
        if tab is None or staff is None:
            return
        detail = f"{tab.name}'s tab, unpaid ({format_cents(tab.total_cents)} when last held)"
        self.screen.approval_dialog = dialog = ApprovalDialog(
            self.register.db, Action.ABANDON_TAB, staff, detail, self.screen
        )
        dialog.accepted.connect(lambda: self._abandon(tab, dialog))
        dialog.open()

    def _abandon(self, tab: TabInfo, dialog: ApprovalDialog) -> None:
        try:
            tabs.abandon(self.register.db, tab.id, self.screen.staff, dialog.approval)
        except (TabError, AuthError) as exc:
            self.screen.say(str(exc), CART)
            return
        self._kept = None
        self.screen.show_cart(self.register.new_cart(self.screen.staff.id))
        self.reload()
        self.screen.say(f"{tab.name}'s tab was abandoned (unpaid, with a manager's approval).")
