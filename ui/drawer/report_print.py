"""Sending an X or Z report to this register's receipt printer, on the worker
(`ui.worker`): a printer that is off costs its timeout there, not at the counter. The
report is always on screen as well, so with no printer set up nothing is lost."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QWidget

from tastingroom.devices.printer import PrinterConfig, send
from tastingroom.drawer.printout import Printout
from ui.receipt_view import problem_of
from ui.worker import Op


def print_report(
    printer: PrinterConfig, printout: Printout, parent: QWidget, say: Callable[[str], None]
) -> None:
    """Queue the report for the printer; `say` gets what happened, in words for staff."""
    if printer.kind == "none":
        say(f"No receipt printer is set up: the {printout.title} is shown here.")
        return
    say(f"Printing the {printout.title}…")
    Op(
        work=partial(send, printer, printout.data),
        on_done=lambda _: say(f"The {printout.title} was printed."),
        on_failed=lambda exc: say(f"{problem_of(exc)}: the {printout.title} is shown here."),
        parent=parent,
    ).run()
