"""An unexpected error: a calm word on screen, the traceback in the log, and the
register carries on.

PySide6 hands an exception raised in a slot (a button's handler, a timer, a signal from
the worker) to `sys.excepthook`, after which Qt's event loop simply goes on; a Python
thread's goes to `threading.excepthook`. `ErrorGuard` takes both: it writes the
traceback to the log file (through the log's secret filter: `tastingroom.logs`) and
shows `ErrorDialog`, which says in plain words that something went wrong, whether the
sale is saved, and where the log is. Nothing technical is shown at the counter.

"The sale … is saved" is said only when the register knows it: the newest payment
dialog committed its sale (`commit` returns once the transaction is on disk, with
`synchronous=FULL`) and no payment or age check is open since. Otherwise nothing is
said about the sale, rather than a reassurance that might be false.

A flood never stacks dialogs: one is shown at a time, and a repeat while it is open
only counts; once it is closed, the same error (same type, same place) stays quiet for
`QUIET_S` seconds. The log gets each error's traceback once per `QUIET_S`, then one line
per repeat, so a loop of errors cannot rotate the useful history out of the log.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger("tastingroom.unexpected")

QUIET_S = 60.0


def saved_sale(main: MainWindow | None) -> str | None:
    """The number of the sale the register knows is saved, when no other sale is under
    way (see the module docstring); None when it cannot say."""
    if main is None:
        return None
    payment = main.selling.payment_dialog
    if payment is None or payment.sale is None:
        return None  # no sale yet, or the newest payment was never completed
    checks = (main.selling.age_dialog, main.pickups.age_dialog)
    if any(check is not None and check.isVisible() for check in checks):
        return None  # the next sale's check has begun
    return payment.sale.number


class ErrorDialog(QDialog):
    """What the person at the counter sees: what happened, the sale, where the log is."""

    def __init__(self, sale: str | None, log_file: Path | None, parent: QWidget | None) -> None:
        super().__init__(parent, objectName="errorDialog")
        self.setWindowTitle("Something went wrong")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.times = 1
        title = QLabel("Something went wrong", objectName="errorTitle")
        words = [
            "The register ran into a problem it did not expect, and has carried on. "
            "What you were doing may not have finished: check it, and try once more."
        ]
        if sale is not None:
            words.append(f"The sale {sale} is saved.")
        where = f"The details are in the log: {log_file}" if log_file else ""
        words.append(f"If it happens again, tell whoever looks after the register. {where}")
        self.message = QLabel("\n\n".join(words), wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.repeats = QLabel("", objectName="hint")
        self.ok = QPushButton("OK", objectName="payButton")
        self.ok.setMinimumHeight(56)
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.message)
        layout.addWidget(self.repeats)
        layout.addWidget(self.ok)
        self.setMinimumWidth(520)

    def repeated(self) -> None:
        self.times += 1
        self.repeats.setText(f"It happened {self.times} times.")

    def text(self) -> str:
        return "\n".join(label.text() for label in self.findChildren(QLabel))


class ErrorGuard(QObject):
    """Installs the hooks; shows one `ErrorDialog` at a time on the UI thread."""

    sig_error = Signal(str)
    """An unexpected error's signature (type and place), from any thread."""

    def __init__(
        self,
        log_file: Path | None,
        main: Callable[[], MainWindow | None],
        parent_window: QWidget | None = None,
    ) -> None:
        super().__init__()
        self.log_file = log_file
        self.main = main
        self.parent_window = parent_window
        self.dialog: ErrorDialog | None = None
        self._quiet_until: dict[str, float] = {}
        self._logged: dict[str, tuple[float, int]] = {}
        """Signature -> (when its traceback was last logged, repeats since)."""
        self._lock = threading.Lock()
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self.sig_error.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> ErrorGuard:
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook
        return self

    def uninstall(self) -> None:
        if sys.excepthook == self._excepthook:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self._thread_excepthook:
            threading.excepthook = self._previous_thread_hook

    def _excepthook(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous_hook(kind, value, tb)
            return
        self.report(kind, value, tb, threading.current_thread().name)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        where = args.thread.name if args.thread is not None else "a thread"
        self.report(args.exc_type, args.exc_value, args.exc_traceback, where)

    def report(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None, where: str
    ) -> None:
        """Log the error (its traceback once per `QUIET_S`) and ask for the dialog."""
        frames = traceback.extract_tb(tb)
        place = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        signature = f"{kind.__qualname__} at {place}"
        now = time.monotonic()
        with self._lock:
            last, repeats = self._logged.get(signature, (-QUIET_S, 0))
            full = now - last >= QUIET_S
            self._logged[signature] = (now, 0) if full else (last, repeats + 1)
        if full:
            log.error("Unexpected error in %s; the register carries on", where,
                      exc_info=(kind, value, tb))  # fmt: skip
        else:
            log.error("The same unexpected error again (%s, %d repeats)", signature, repeats + 1)
        if self.log_file is None:  # no log file to keep it: standard error, as before
            sys.__excepthook__(kind, value, tb)
        self.sig_error.emit(signature)

    @Slot(str)
    def _show(self, signature: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.repeated()
            return
        if time.monotonic() < self._quiet_until.get(signature, 0.0):
            return
        parent = QApplication.activeModalWidget() or self.parent_window
        try:
            sale = saved_sale(self.main())
        except Exception:  # the window half-built or half-closed: say nothing of the sale
            sale = None
        self.dialog = ErrorDialog(sale, self.log_file, parent)
        self.dialog.finished.connect(lambda _result, s=signature: self._closed(s))
        self.dialog.open()

    def _closed(self, signature: str) -> None:
        self._quiet_until[signature] = time.monotonic() + QUIET_S
