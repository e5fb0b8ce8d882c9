"""About this register: what runs here and where it keeps things, and its backups.

For whoever looks after the register, and for a call to support: the version, the data
folder, the database's size, the log file, the backups folder with the newest backup,
and the last full integrity check (`store.health`). Below, the backups (`store.backups`),
newest first, with the number of orders in each (counted on the worker: a backup is a
whole database). A manager restores one from here: a manager's PIN approves it
(`Action.RESTORE_BACKUP`), a second tap confirms what will be lost, and the register
(`ui.app.RegisterFrame.restore`) stops sync, closes the database, restores the backup
through the same `restore_backup` as `tastingroom restore`, and opens again on it.

Everything is read again each time the screen is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tastingroom import __version__
from tastingroom.localtime import local, stamp
from tastingroom.logs import current_log, log_path
from tastingroom.people.staff import Action, StaffMember
from tastingroom.selling.sales import Register
from tastingroom.store.backups import (
    KEEP_DAYS,
    BackupFile,
    backups_folder,
    count_orders,
    list_backups,
)
from tastingroom.store.health import load_state
from ui.approval_dialog import ApprovalDialog
from ui.dialog_footer import dialog_footer
from ui.worker import Op

REASONS = {"daily": "daily", "closing": "at closing", "": "by hand"}


def file_size(size: int) -> str:
    """Bytes as people read them: "812 KB", "1.4 GB"."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit in ("bytes", "KB") else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def when(made_at: datetime, zone: str) -> str:
    """ "Mon 23 Nov 2026, 17:30" in the store's time zone `zone`."""
    at = local(made_at, zone)
    return f"{at:%a} {at.day} {at:%b %Y, %H:%M}"


def database_size(path: Path) -> int:
    """The database with its write-ahead log: what a backup copies."""
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


class RestoreConfirm(QDialog):
    """The second tap: what a restore loses, and what it keeps."""

    def __init__(self, backup: BackupFile, zone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore a backup")
        text = QLabel(
            f"Put the backup of {when(backup.made_at, zone)} in place of this register's "
            "database?\n\n"
            "Sales rung after it was made will not be on this register (those already sent "
            "are in WineDirect). The database it replaces is kept in the data folder's "
            "replaced/ folder, and order numbers move to a new series so that none is used "
            "twice. The register closes and opens again on the backup: everyone signs in "
            "again.",
            wordWrap=True,
        )
        row, self.action = dialog_footer(self, "Restore", self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(row)
        self.setMinimumWidth(560)


class AboutScreen(QWidget):
    def __init__(self, register: Register, staff: Callable[[], StaffMember | None]) -> None:
        super().__init__(objectName="register")
        self.register = register
        self.current_staff = staff
        self.restorer: Callable[[Path], None] | None = None
        """Restores a backup and reopens the register (set by `RegisterFrame`); None
        when this window is not the register's (tests, screenshots)."""
        self.approval_dialog: ApprovalDialog | None = None
        self.confirm_dialog: RestoreConfirm | None = None
        self._pending: BackupFile | None = None
        self.fields = {
            name: QLabel("", wordWrap=True, objectName="aboutValue")
            for name in ("version", "folder", "database", "log", "backups", "newest", "check")
        }
        for label in self.fields.values():
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("Version", self.fields["version"])
        form.addRow("Data folder", self.fields["folder"])
        form.addRow("Database", self.fields["database"])
        form.addRow("Log file", self.fields["log"])
        form.addRow("Backups folder", self.fields["backups"])
        form.addRow("Newest backup", self.fields["newest"])
        form.addRow("Integrity check", self.fields["check"])
        self.list = QListWidget()
        self.restore_button = QPushButton("Restore this backup… (manager)")
        self.restore_button.setMinimumHeight(44)
        self.restore_button.clicked.connect(self.restore_selected)
        self.message = QLabel("", objectName="notice", wordWrap=True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("About this register", objectName="storeName"))
        layout.addLayout(form)
        layout.addWidget(
            QLabel(
                f"Backups: one a day and one at closing; the newest of each of the last "
                f"{KEEP_DAYS} days is kept, and those made by hand are never deleted.",
                objectName="hint",
                wordWrap=True,
            )
        )
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    @property
    def zone(self) -> str:
        """The store's time zone: every time on this screen is read in it."""
        return self.register.settings.timezone

    def showEvent(self, event: QShowEvent) -> None:
        self.load()
        super().showEvent(event)

    def load(self) -> None:
        db = self.register.db
        folder = db.path.parent
        backups = list_backups(folder)
        self.fields["version"].setText(f"Tastingroom {__version__}")
        self.fields["folder"].setText(str(folder))
        self.fields["database"].setText(f"{db.path.name}, {file_size(database_size(db.path))}")
        self.fields["log"].setText(str(current_log() or log_path(folder)))
        self.fields["backups"].setText(str(backups_folder(folder)))
        newest = backups[0] if backups else None
        self.fields["newest"].setText(
            self._row_text(newest, None)
            if newest
            else "None yet: the first is made a few moments after the register starts."
        )
        with db.read() as s:
            check = load_state(s)
        if check.checked_at is None:
            self.fields["check"].setText("Not run yet (it runs in the background each day).")
        else:
            at = stamp(check.checked_at, self.zone)
            self.fields["check"].setText(check.problem or f"Passed, {at}.")
        self.list.clear()
        for backup in backups:
            row = QListWidgetItem(self._row_text(backup, None))
            row.setData(Qt.ItemDataRole.UserRole, backup)
            self.list.addItem(row)
        if backups:
            self.list.setCurrentRow(0)
            paths = [b.path for b in backups]
            Op(
                work=lambda: [count_orders(p) for p in paths], on_done=self._counted, parent=self
            ).run()
        self.restore_button.setEnabled(bool(backups))

    def _row_text(self, backup: BackupFile, orders: int | None) -> str:
        parts = [when(backup.made_at, self.zone), REASONS[backup.reason], file_size(backup.size)]
        if orders is not None:
            parts.append(f"{orders:,} order{'' if orders == 1 else 's'}")
        return "  ·  ".join(parts)

    def _counted(self, counts: list[int | None]) -> None:
        for index, orders in enumerate(counts):
            row = self.list.item(index)
            if row is not None:
                row.setText(self._row_text(row.data(Qt.ItemDataRole.UserRole), orders))

    def _selected(self) -> BackupFile | None:
        row = self.list.currentItem()
        return None if row is None else row.data(Qt.ItemDataRole.UserRole)

    def restore_selected(self) -> None:
        backup, staff = self._selected(), self.current_staff()
        if backup is None or staff is None:
            self.message.setText("Tap a backup first.")
            return
        if self.restorer is None:
            self.message.setText(
                "This window cannot restore: close the register and run 'tastingroom restore'."
            )
            return
        self._pending = backup
        self.approval_dialog = ApprovalDialog(
            self.register.db,
            Action.RESTORE_BACKUP,
            staff,
            f"restore the backup of {when(backup.made_at, self.zone)} ({backup.path.name})",
            self,
        )
        self.approval_dialog.accepted.connect(self._approved)
        self.approval_dialog.open()

    @Slot()
    def _approved(self) -> None:
        if self._pending is None:
            return
        self.confirm_dialog = RestoreConfirm(self._pending, self.zone, self)
        self.confirm_dialog.accepted.connect(self._confirmed)
        self.confirm_dialog.open()

    @Slot()
    def _confirmed(self) -> None:
        backup, self._pending = self._pending, None
        if backup is not None and self.restorer is not None:
            self.restorer(backup.path)
