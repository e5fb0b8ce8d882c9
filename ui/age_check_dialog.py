"""Checking ID before alcohol is sold: scan the licence, type the date of birth, or (where
the store's policy allows) confirm the guest is visibly over the policy age.

The rules are the engine's (`age`, `idscan`); this dialog only asks and shows. A refusal
keeps the dialog open with the reason, and nothing can be sold until a check passes. A
date of birth the engine cannot take (in the future, more than 120 years ago) is said
under the date field.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tastingroom.age import AgeCheckError, AgeCheckResult, Method, check_birth_date, check_visual
from tastingroom.entry import BIRTH_DATE
from tastingroom.idscan import IdScanError, parse_aamva
from tastingroom.settings import StoreSettings
from ui.field_messages import FieldMessages


class AgeCheckDialog(QDialog):
    def __init__(self, settings: StoreSettings, staff_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Check ID")
        self.settings = settings
        self.staff_id = staff_id
        self.result: AgeCheckResult | None = None
        intro = QLabel(
            f"This order has alcohol. Scan the guest's licence, or type the date of birth "
            f"(legal age {settings.minimum_age})."
        )
        intro.setWordWrap(True)
        self.scan_field = QLineEdit(placeholderText="Scan the licence barcode here")
        self.scan_field.returnPressed.connect(lambda: self.take_scan(self.scan_field.text()))
        self.dob = QDateEdit(displayFormat="MM/dd/yyyy", calendarPopup=True)
        self.dob.setDate(QDate(2000, 1, 1))
        self.dob.setMaximumDate(QDate.currentDate())
        self.check_button = QPushButton("Check date of birth")
        self.check_button.clicked.connect(self.check_typed)
        self.visual_button = QPushButton(
            f"Visibly over {settings.visual_check_over_age}"
            if settings.visual_check_over_age
            else "Visual check not allowed"
        )
        self.visual_button.setEnabled(settings.visual_check_over_age is not None)
        self.visual_button.clicked.connect(self.check_visual)
        self.message = QLabel("", objectName="ageMessage")
        self.message.setWordWrap(True)
        self.messages = FieldMessages(self.message)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(QLabel("Date of birth"))
        row.addWidget(self.dob, 1)
        row.addWidget(self.check_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.visual_button)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.scan_field)
        layout.addWidget(self.messages.under(BIRTH_DATE, row))
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)

    def _done(self, result: AgeCheckResult) -> None:
        self.result = result
        self.messages.clear()
        self.message.setText(result.message)
        self.message.setProperty("refused", not result.passed)
        if result.passed:
            self.accept()

    def take_scan(self, text: str) -> None:
        """A licence from the 2D scanner (the window routes scanner bursts here)."""
        self.scan_field.clear()
        try:
            scan = parse_aamva(text)
            self._done(
                check_birth_date(
                    self.settings,
                    self.staff_id,
                    scan.birth_date,
                    Method.ID_SCAN,
                    id_expires=scan.expires,
                )
            )
        except (IdScanError, AgeCheckError) as exc:
            self.messages.clear()
            self.message.setText(str(exc))

    def check_typed(self) -> None:
        qd = self.dob.date()
        try:
            born = date(qd.year(), qd.month(), qd.day())
            self._done(check_birth_date(self.settings, self.staff_id, born, Method.TYPED_DOB))
        except AgeCheckError as exc:
            self.messages.show(exc)

    def check_visual(self) -> None:
        try:
            self._done(check_visual(self.settings, self.staff_id))
        except AgeCheckError as exc:
            self.messages.show(exc)

    def keyPressEvent(self, event) -> None:  # Enter in the date field checks it
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.dob.hasFocus():
            self.check_typed()
            return
        super().keyPressEvent(event)
