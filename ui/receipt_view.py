"""Printing a slip or receipt, or showing it on screen when there is no printer (or the
printer fails): one behaviour for every screen that prints.

The job goes to the printer on the worker (`ui.worker`), never on the UI thread: a
printer that is off costs its timeout there, while the register carries on. What
follows (printed, or why not) comes back to the screen that asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from tastingroom.devices.printer import PrinterConfig, PrinterError, send
from tastingroom.devices.receipt import receipt_text
from ui.worker import Op

log = logging.getLogger(__name__)


def show(data: bytes, view: QPlainTextEdit) -> None:
    """The job's text in `view`, as the printer would have printed it."""
    view.setPlainText(receipt_text(data))
    view.setVisible(True)


def problem_of(exc: Exception) -> str:
    """What went wrong, in words without a full stop, for the screen to go on from."""
    if isinstance(exc, PrinterError):
        return exc.problem
    log.error("Printing failed", exc_info=exc)
    return f"The receipt could not be printed ({exc})"


def print_or_show(
    printer: PrinterConfig,
    data: bytes,
    view: QPlainTextEdit,
    *,
    parent: QWidget,
    on_printed: Callable[[], None],
    on_failed: Callable[[str], None],
) -> bool:
    """Queue `data` for the printer and return True, or, with no printer set up, show
    it in `view` now and return False. A job that fails is shown in `view` as well, and
    `on_failed` gets the problem (without a full stop) for the screen to say."""
    if printer.kind == "none":
        show(data, view)
        return False

    def failed(exc: Exception) -> None:
        show(data, view)
        on_failed(problem_of(exc))

    Op(
        work=partial(send, printer, data),
        on_done=lambda _: on_printed(),
        on_failed=failed,
        parent=parent,
    ).run()
    return True
