"""Checking ID before alcohol is sold: scan the licence, type the date of birth, or (where
the store's policy allows) confirm the guest is visibly over the policy age.

The rules are the engine's (`age`, `idscan`, and `entry` for what is typed); this dialog
only asks and shows. A refusal keeps the dialog open with the reason, and nothing can be
sold until a check passes. The date field starts empty (a date already in it would let
"Check" pass a guest nobody asked) and takes digits as soon as it is clicked, with or
without separators (03141979, 3/14/1979, 03-14-1979); its button stays off until what is
typed is a whole date. A date of birth the engine cannot take (in the future, more than
120 years ago) is said under the date field; so is a licence the engine could not read,
with the field ready for the date to be typed instead.
"""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tastingroom import entry
from tastingroom.entry import BIRTH_DATE, EntryRefused
from tastingroom.selling.age import (
    AgeCheckError,
    AgeCheckResult,
    Method,
    check_birth_date,
    check_visual,
    record_refusal,
)
from tastingroom.selling.idscan import IdScanError, parse_aamva
from tastingroom.settings import StoreSettings
from tastingroom.store.database import Database
from ui.field_messages import FieldMessages
from ui.worker import Op

log = logging.getLogger(__name__)

DATE_CHARACTERS = QRegularExpression(r"[0-9/.\- ]{0,10}")
"""What the date field lets in: digits and the separators people type between them."""


class AgeCheckDialog(QDialog):
    sig_refused = Signal(object)
    """A check refused the guest (an `AgeCheckResult`): the screen keeps it for the day
    report (`age.record_refusal`)."""

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
        self.scan_field.returnPressed.connect(self._scan_typed)
        self.dob = QLineEdit(placeholderText="MM/DD/YYYY", maxLength=10)
        self.dob.setValidator(QRegularExpressionValidator(DATE_CHARACTERS, self.dob))
        self.dob.textChanged.connect(self._date_changed)
        self.dob.returnPressed.connect(self.check_typed)
        self.check_button = QPushButton("Check date of birth")
        self.check_button.setEnabled(False)
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
        for button in (self.check_button, self.visual_button, cancel):
            # Enter belongs to the field it is pressed in, never to a button unasked.
            button.setAutoDefault(False)
        self.dob.setFocus()

    def _done(self, result: AgeCheckResult) -> None:
        self.result = result
        self.messages.clear()
        self.message.setText(result.message)
        self.message.setProperty("refused", not result.passed)
        if result.passed:
            self.accept()
        else:
            self.sig_refused.emit(result)

    def _date_changed(self, text: str) -> None:
        """The check is possible once a whole date is typed, and not before."""
        try:
            entry.typed_birth_date(text)
        except EntryRefused:
            self.check_button.setEnabled(False)
            return
        self.check_button.setEnabled(True)

    def _scan_typed(self) -> None:
        self.take_scan(self.scan_field.text())

    def take_scan(self, text: str) -> None:
        """A licence from the 2D scanner (the window routes scanner bursts here). One that
        cannot be read is refused under the date field, which is then ready for typing."""
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
        except IdScanError as exc:
            self.messages.say(str(exc), BIRTH_DATE)
            self.dob.setFocus()
        except AgeCheckError as exc:
            self.messages.show(exc)

    def check_typed(self) -> None:
        try:
            born = entry.typed_birth_date(self.dob.text())
            self._done(check_birth_date(self.settings, self.staff_id, born, Method.TYPED_DOB))
        except EntryRefused as exc:
            self.messages.show(exc, BIRTH_DATE)

    def check_visual(self) -> None:
        try:
            self._done(check_visual(self.settings, self.staff_id))
        except AgeCheckError as exc:
            self.messages.show(exc)


def keep_refusal(db: Database, purpose: str, result: AgeCheckResult) -> None:
    """Write a refused check on the worker (`age.record_refusal`): the cashier is already
    telling the guest, and never waits for the disk."""
    Op(
        work=partial(record_refusal, db, result, purpose),
        on_failed=lambda exc: log.warning("A refused age check was not kept: %s", exc),
    ).run()
