"""The register's one worker for work that may wait: printing a receipt or a slip,
pulsing the cash drawer (and, as they come, reports and large searches).

A network printer that is switched off answers nothing until its timeout; run on the
UI thread, that froze the register for ten seconds. Here a screen says, in one
expression, what runs in the background and what follows on the UI thread, the way
Anki's operations read:

    Op(work=lambda: send(printer, data), on_done=printed, on_failed=say_why).run()

Every op runs on one worker thread, in the order asked (a receipt, then its drawer
pulse, then the next sale's receipt: a printer takes one job at a time). `on_done`
gets the work's result and `on_failed` the exception it raised, both on the UI thread;
an op whose `parent` widget has been deleted meanwhile is dropped quietly. The thread
starts with the first op and stops with `shutdown` (the window's close, the
application's quit), after the op it is running: a thread is never left running, and
never destroyed while it runs.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

STOP_WAIT_MS = 30_000
"""How long closing the register waits for the job in hand (a printer's timeout)."""


@dataclass
class Op:
    """One piece of background work and what follows it on the UI thread."""

    work: Callable[[], Any]
    on_done: Callable[[Any], None] | None = None
    on_failed: Callable[[Exception], None] | None = None
    parent: QObject | None = None
    """The widget that asked: once it is deleted, its callbacks are not called."""

    def run(self) -> None:
        """Queue the work on the worker; returns at once."""
        task_manager().submit(self)


class _WorkerThread(QThread):
    """Takes ops from the queue one at a time until it is handed `None`."""

    def __init__(self, manager: TaskManager) -> None:
        super().__init__()
        self.manager = manager
        self.jobs: queue.Queue[Op | None] = queue.Queue()

    def run(self) -> None:
        while (op := self.jobs.get()) is not None:
            try:
                result = op.work()
            except Exception as exc:  # every failure goes back to the screen that asked
                self.manager.sig_finished.emit(op, None, exc)
            else:
                self.manager.sig_finished.emit(op, result, None)


class TaskManager(QObject):
    """The single worker thread and the delivery of its results to the UI thread."""

    sig_finished = Signal(object, object, object)
    """(op, result, exception): emitted on the worker, delivered on the UI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: _WorkerThread | None = None
        self.pending = 0
        """Ops asked for whose callbacks have not run yet."""
        self.sig_finished.connect(self._finished)

    def submit(self, op: Op) -> None:
        if self._thread is None:
            self._thread = _WorkerThread(self)
            self._thread.start()
        self.pending += 1
        self._thread.jobs.put(op)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    @Slot(object, object, object)
    def _finished(self, op: Op, result: object, error: Exception | None) -> None:
        self.pending -= 1
        if op.parent is not None and not shiboken6.isValid(op.parent):
            return
        try:
            if error is None:
                if op.on_done is not None:
                    op.on_done(result)
            elif op.on_failed is not None:
                op.on_failed(error)
            else:
                log.error("Background work failed", exc_info=error)
        except Exception:  # a callback's own bug must not stop the next op's delivery
            log.exception("A background op's callback failed")

    def shutdown(self, wait_ms: int = STOP_WAIT_MS) -> bool:
        """Stop the thread once the ops queued before it are done; True when it has
        stopped. Results still on their way are delivered by the next event loop turn."""
        thread = self._thread
        if thread is None:
            return True
        thread.jobs.put(None)
        if not thread.wait(wait_ms):
            log.error("The background worker is still busy after %d ms", wait_ms)
            return False
        self._thread = None
        return True


_manager: TaskManager | None = None


def task_manager() -> TaskManager:
    """The application's worker, made on first use (on the UI thread) and stopped when
    the application quits."""
    global _manager
    if _manager is None:
        _manager = TaskManager()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(_manager.shutdown)
    return _manager


def shutdown() -> bool:
    """Stop the worker if it runs (the register's window closing)."""
    return _manager.shutdown() if _manager is not None else True
