"""The register's main window: a shell that signs staff in and switches screens.

The lock screen comes first; signed in, a row of buttons picks one screen at a time
(`RegisterScreen` for selling, then the drawer, pickups, orders, refunds, reports, sync,
settings, about). The shell owns what spans screens: the status bar, scanner routing, the
idle lock and closing. A scan goes to the screen showing: products to the register,
receipts to the refunds.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

import ui.app
from tastingroom.devices.printer import PrinterConfig, config_from
from tastingroom.localtime import clock
from tastingroom.people.staff import StaffMember
from tastingroom.selling.idscan import looks_like_id_scan, looks_like_licence_part
from tastingroom.selling.numbering import clear_numbering_notice
from tastingroom.selling.sales import Register
from tastingroom.status import Status, read_status
from ui.about_screen import AboutScreen
from ui.drawer.drawer_screen import DrawerScreen
from ui.lock_screen import LockScreen
from ui.orders_screen import OrdersScreen
from ui.pickups_screen import PickupsScreen
from ui.refund_screen import RefundScreen
from ui.register_screen import RegisterScreen
from ui.scanner_filter import ScannerFilter
from ui.settings_screen import SettingsScreen
from ui.sync_bridge import SyncBridge
from ui.sync_screen import SyncScreen
from ui.taps import TapGuard
from ui.worker import Op
from ui.worker import shutdown as stop_worker

if TYPE_CHECKING:
    from ui.reports.day_report_screen import DayReportScreen


class MainWindow(QMainWindow):
    """The shell: the lock screen, then the navigation row over one screen at a time,
    the status bar, scanner routing and the idle lock. Selling is `RegisterScreen`."""

    def __init__(
        self,
        register: Register,
        bridge: SyncBridge | None = None,
        lock_screen: LockScreen | None = None,
    ) -> None:
        """`lock_screen`: the one start-up showed while the engine loaded (see `ui.app`),
        with whatever was typed into it; by default a new one."""
        super().__init__()
        self.register = register
        self.bridge = bridge
        self.staff: StaffMember | None = None
        self.printer = self._printer_from_settings()
        self.setWindowTitle(f"Tastingroom — {register.settings.store_name}")
        self.setMinimumSize(1024, 700)

        self.selling = RegisterScreen(register, lambda: self.staff, self.printer)
        self.selling.sig_lock.connect(self.lock)
        self.selling.sig_sold.connect(self.refresh_status)
        self.lock_screen = lock_screen or LockScreen(register.settings.store_name)
        self.lock_screen.sig_signed_in.connect(self.signed_in)
        self.pickups = PickupsScreen(register, lambda: self.staff, self.printer)
        self.orders = OrdersScreen(register, self.printer)
        self.refunds = RefundScreen(register, lambda: self.staff, lambda: self.printer)
        self.refunds.sig_exchange.connect(self._exchange)
        self.refunds.sig_refunded.connect(self._refunded)
        self.orders.sig_refund.connect(self._refund_order)
        self.settings_screen = SettingsScreen(register, lambda: self.staff, self._settings_saved)
        self.settings_screen.sig_favourites_changed.connect(self.selling.favourites_changed)
        self.sync_screen = SyncScreen(register.db, lambda: self.staff, self._sync_now)
        self.about = AboutScreen(register, lambda: self.staff)
        self.drawer = DrawerScreen(register, lambda: self.staff, lambda: self.printer)
        self.reports_page = QWidget()
        QVBoxLayout(self.reports_page).setContentsMargins(0, 0, 0, 0)
        self.reports: DayReportScreen | None = None
        """Built the first time it is shown: its charts and PDF code never load at start-up."""
        self.screens = QStackedWidget()
        self.on_show: dict[str, Callable[[], None]] = {}
        """What each screen reads again when it is shown (the register keeps its cart)."""
        self.nav: dict[str, QPushButton] = {}
        nav_row = QHBoxLayout()
        for name, screen, on_show in (
            ("Register", self.selling, None),
            ("Drawer", self.drawer, self.drawer.reload),
            ("Pickups", self.pickups, self.pickups.reload),
            ("Orders", self.orders, self.orders.reload),
            ("Refunds", self.refunds, None),
            ("Reports", self.reports_page, self._show_reports),
            ("Sync", self.sync_screen, self.sync_screen.reload),
            ("Settings", self.settings_screen, self.settings_screen.load),
            ("About", self.about, None),
        ):
            self.screens.addWidget(screen)
            if on_show is not None:
                self.on_show[name] = on_show
            button = QPushButton(name, objectName="navButton", checkable=True, autoExclusive=True)
            button.setMinimumHeight(44)
            button.clicked.connect(lambda _=False, n=name: self.show_screen(n))
            nav_row.addWidget(button)
            self.nav[name] = button
        self.nav["Register"].setChecked(True)
        signed_in_page = QWidget()
        page_layout = QVBoxLayout(signed_in_page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addLayout(nav_row)
        page_layout.addWidget(self.screens, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.lock_screen)
        self.pages.addWidget(signed_in_page)
        self.setCentralWidget(self.pages)
        self.scanner = ScannerFilter(self._scanning, self)
        self.scanner.sig_scan.connect(self.handle_scan)
        QApplication.instance().installEventFilter(self.scanner)
        self.idle = QTimer(self, singleShot=True)
        self.idle.timeout.connect(self.lock)
        self.tap_guard = TapGuard(self)
        QApplication.instance().installEventFilter(self.tap_guard)

        self.status_label = QLabel("", objectName="syncStatus")
        self.statusBar().addWidget(self.status_label, 1)
        status = read_status(register.db)
        self.show_status(status)
        if status.notice:  # the numbers moved to a new series: said once, then forgotten
            self.selling.say(status.notice, holds=lambda: not self.selling.cart.lines)
            clear_numbering_notice(register.db)
        if bridge is not None:
            bridge.sig_status.connect(self.show_status)
            bridge.sig_catalog_changed.connect(self.selling.catalog_changed)
            register.after_commit.append(self._sale_committed)
        self.lock_screen.attach(register.db, register.settings.store_name)
        if ui.app.FREEZE_HEAP:
            gc.freeze()  # see `ui.app.FREEZE_HEAP`

    # --- staff --------------------------------------------------------------------------

    @Slot(object)
    def signed_in(self, member: StaffMember) -> None:
        """The open sale, if any, carries on under whoever signed in (a quick switch)."""
        self.staff = member
        self.pages.setCurrentIndex(1)
        self.selling.signed_in(member)
        self.touched()

    def show_screen(self, name: str) -> None:
        """Show the screen under the nav button `name`, read afresh."""
        self.screens.setCurrentIndex(list(self.nav).index(name))
        self.nav[name].setChecked(True)
        if name in self.on_show:
            self.on_show[name]()

    def _show_reports(self) -> None:
        """The day report, built on first use (`reports`); afterwards read afresh."""
        if self.reports is not None:
            self.reports.reload()
            return
        from ui.reports.day_report_screen import DayReportScreen

        self.reports = DayReportScreen(self.register, lambda: self.printer)
        self.reports_page.layout().addWidget(self.reports)

    def showing(self, name: str) -> bool:
        return self.screens.currentIndex() == list(self.nav).index(name)

    def _printer_from_settings(self) -> PrinterConfig:
        settings = self.register.settings
        try:
            return config_from(settings.printer_kind, settings.printer_address)
        except ValueError:
            return PrinterConfig()  # a broken address: receipts show on screen until fixed

    def _sync_now(self) -> None:
        if self.bridge is not None:
            self.bridge.wake()

    def _settings_saved(self) -> None:
        self.printer = self._printer_from_settings()
        self.selling.printer = self.pickups.printer = self.orders.printer = self.printer
        self.refresh_status()
        self.touched()  # the idle lock may have changed

    def lock(self) -> None:
        self.staff = None
        self.idle.stop()
        self.lock_screen.reload()
        self.pages.setCurrentIndex(0)

    def touched(self) -> None:
        """Any key or tap: the idle lock starts counting again (the store sets how long)."""
        minutes = self.register.settings.idle_lock_minutes
        if self.staff is not None and minutes:
            self.idle.start(minutes * 60_000)
        else:
            self.idle.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the register closes its dialogs and stops listening for scans."""
        others = (
            self.pickups.age_dialog,
            self.sync_screen.approval_dialog,
            self.refunds.approval_dialog,
        )
        for dialog in [*self.selling.dialogs(), *others]:
            if dialog is not None:
                dialog.close()
        QApplication.instance().removeEventFilter(self.scanner)
        QApplication.instance().removeEventFilter(self.tap_guard)
        self.idle.stop()
        stop_worker()  # once the job in hand is done: a printer's timeout at most
        super().closeEvent(event)

    # --- scanning -----------------------------------------------------------------------

    def _scanning(self) -> bool:
        """Scans are taken on the register and refund screens, and by the ID check while
        it is open."""
        modal = QApplication.activeModalWidget()
        if modal is not None:
            return modal in (self.selling.age_dialog, self.pickups.age_dialog)
        return (
            self.staff is not None
            and self.pages.currentIndex() == 1
            and (self.showing("Register") or self.showing("Refunds"))
        )

    @Slot(str)
    def handle_scan(self, code: str) -> None:
        """A licence goes to the ID check that is open; anything else to the screen
        showing: a receipt to the refunds (`RefundScreen.take_scan`), a product to the
        selling screen (`RegisterScreen.take_scan`)."""
        self.touched()
        open_checks = [d for d in (self.selling.age_dialog, self.pickups.age_dialog) if d]
        check = next((d for d in open_checks if d.isVisible()), None)
        if check is not None and (looks_like_id_scan(code) or looks_like_licence_part(code)):
            check.take_scan(code)  # a piece of one is refused there, with the reason
            return
        if self.showing("Refunds"):
            self.refunds.take_scan(code)
            return
        self.selling.take_scan(code)

    def refresh_status(self) -> None:
        """Read the status on the worker and show it (the sync thread sends its own after
        every cycle)."""
        Op(work=partial(read_status, self.register.db), on_done=self.show_status, parent=self).run()

    def _refund_order(self, order_id: str) -> None:
        self.show_screen("Refunds")
        self.refunds.open_order(order_id)

    def _exchange(self, credit: object) -> None:
        """The returns chosen on the refund screen become credit on a new sale."""
        self.selling.start_exchange(credit)
        self.show_screen("Register")

    def _refunded(self) -> None:
        self.refresh_status()
        self._sync_now()

    def _sale_committed(self, sale: object) -> None:
        if self.bridge is not None:
            self.bridge.wake()

    @Slot(object)
    def show_status(self, status: Status) -> None:
        zone = self.register.settings.timezone
        self.status_label.setText(status_line(status, zone, syncing=self.bridge is not None))
        self.status_label.setToolTip("\n".join(status.problems))
        state = "ok" if status.healthy else ("offline" if status.online is False else "warning")
        if status.online is None and not status.problems:
            state = "unknown"
        if self.status_label.property("state") != state:
            self.status_label.setProperty("state", state)
            self.status_label.style().unpolish(self.status_label)
            self.status_label.style().polish(self.status_label)
        if self.showing("Sync"):
            self.sync_screen.reload()


def status_line(status: Status, zone: str, syncing: bool = False) -> str:
    """The status bar: online (only when everything worked), with problems, or
    offline; what waits; when it last synced (in the store's time zone `zone`); the
    first problem in words. `syncing`: this register runs sync (it has a login), so
    before the first cycle reports it is connecting, not "not set up"."""
    if status.online is None:
        never = status.last_push_at is None and not syncing
        state = "WineDirect not set up" if never else "Connecting…"
    elif status.online:
        state = "● Online" if status.healthy else "▲ Sync problem"
    else:
        state = "○ Offline"
    if status.syncing_elsewhere and status.online is None:
        state = "Synced by another program"
    parts = [state, f"{status.pending} waiting to sync"]
    if status.pending and status.oldest_pending_age_s is not None:
        parts[-1] += f" (oldest {_age(status.oldest_pending_age_s)})"
    if status.quarantined:
        parts.append(f"{status.quarantined} refused by WineDirect")
    if status.last_pull_at:
        parts.append(f"last sync {clock(status.last_pull_at, zone)}")
    if status.problems:
        first = status.problems[0]
        head = first.split(": ", 1)[0]  # "Pickup 10021: Web order … twice" -> its subject
        first = head if len(head) <= 60 else first[:60] + "…"
        more = len(status.problems) - 1
        parts.append(first + (f" (+{more} more)" if more else "") + ": see Sync")
    parts.append(f"terminal {status.terminal}")
    return "  ·  ".join(parts)


def _age(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"
