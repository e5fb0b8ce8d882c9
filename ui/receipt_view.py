"""Printing a slip or receipt, or showing it on screen when there is no printer (or the
printer fails): one behaviour for every screen that prints."""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit

from tastingroom.devices.printer import PrinterConfig, PrinterError, send
from tastingroom.devices.receipt import receipt_text


def print_or_show(printer: PrinterConfig, data: bytes, view: QPlainTextEdit) -> tuple[bool, str]:
    """(printed?, a problem to tell staff or ""). Unprinted jobs appear in `view` as text."""
    problem = ""
    try:
        printed = send(printer, data)
    except PrinterError as exc:
        printed, problem = False, str(exc)
    if not printed:
        view.setPlainText(receipt_text(data))
        view.setVisible(True)
    return printed, problem
