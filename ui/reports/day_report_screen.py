"""The end-of-day report on screen: pick a day (today by default), read the figures and
the charts, export a PDF or a CSV into the data folder, or print the text version on
the receipt printer.

Everything that reads the database or writes a file runs on the one worker
(`ui.worker.Op`): a year of history never makes the register wait. This module is
imported when the report is opened, never at start-up (`tastingroom.reports`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from tastingroom.devices.printer import PrinterConfig, PrinterError, send
from tastingroom.localtime import local_day
from tastingroom.money import format_cents
from tastingroom.reports.day import DayReport, day_report
from tastingroom.reports.exports import ReportSaveError, save_csv, to_escpos, to_text
from tastingroom.selling.sales import Register
from tastingroom.settings import load_settings
from tastingroom.store.database import Database
from tastingroom.store.models import utcnow
from ui.reports.charts import CHARTS, ChartView
from ui.reports.pdf import save_pdf
from ui.worker import Op


class DayReportScreen(QWidget):
    """The day report of this register. `printer` gives the receipt printer as set up now."""

    sig_report_shown = Signal(object)
    """The `DayReport` just shown (after a day was picked and the worker computed it)."""
    sig_saved = Signal(object)
    """The path of a PDF or CSV just written."""
    sig_printed = Signal()

    def __init__(
        self,
        register_or_db: Register | Database,
        printer: Callable[[], PrinterConfig],
        data_folder: Path | None = None,
    ) -> None:
        super().__init__(objectName="register")
        self.db = register_or_db.db if isinstance(register_or_db, Register) else register_or_db
        self.printer = printer
        self.data_folder = data_folder or self.db.path.parent
        with self.db.read() as s:
            settings = load_settings(s)
        self.columns = settings.receipt_columns
        self.report: DayReport | None = None

        self.day = QDateEdit(calendarPopup=True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.day.setMinimumHeight(44)
        today = local_day(utcnow(), settings.timezone)
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.day.setMaximumDate(self.day.date())
        self.day.dateChanged.connect(self.reload)
        self.pdf_button = QPushButton("Export PDF")
        self.csv_button = QPushButton("Export CSV")
        self.print_button = QPushButton("Print")
        self.pdf_button.clicked.connect(self.export_pdf)
        self.csv_button.clicked.connect(self.export_csv)
        self.print_button.clicked.connect(self.print_report)
        self.buttons = (self.pdf_button, self.csv_button, self.print_button)
        top = QHBoxLayout()
        top.addWidget(QLabel("Day"))
        top.addWidget(self.day)
        top.addStretch(1)
        for button in self.buttons:
            button.setMinimumHeight(44)
            top.addWidget(button)

        self.headline = QLabel("")
        self.headline.setObjectName("heading")
        self.figures = QPlainTextEdit(readOnly=True)
        self.figures.setFont(QFont("DejaVu Sans Mono", 11))  # the printer's columns
        self.figures.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 46)
        self.charts = [ChartView(paint) for paint in CHARTS]
        grid = QGridLayout()
        grid.addWidget(self.charts[0], 0, 0, 1, 2)
        grid.addWidget(self.charts[1], 1, 0)
        grid.addWidget(self.charts[2], 1, 1)
        chart_box = QWidget()
        chart_box.setLayout(grid)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(chart_box)
        body = QHBoxLayout()
        body.addWidget(self.figures, 0)
        body.addWidget(scroll, 1)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.headline)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        self.reload()

    @property
    def chosen_day(self) -> date:
        return self.day.date().toPython()

    def reload(self) -> None:
        """Compute the chosen day's report on the worker; the screen shows it when done."""
        self._busy(True, "Adding up the day...")
        Op(
            work=partial(day_report, self.db, self.chosen_day),
            on_done=self._show,
            on_failed=self._failed,
            parent=self,
        ).run()

    def _show(self, report: DayReport) -> None:
        if report.day != self.chosen_day:  # another day was picked meanwhile
            return
        self.report = report
        self.headline.setText(
            f"{report.sales.count} sales, {report.refunds.count} refunds: net "
            f"{format_cents(report.net_sales_cents)}"
        )
        self.figures.setPlainText(to_text(report, self.columns))
        for chart in self.charts:
            chart.show_report(report)
        self._busy(False, report.warning or "")
        self.sig_report_shown.emit(report)

    def _busy(self, busy: bool, message: str) -> None:
        for button in self.buttons:
            button.setEnabled(not busy and self.report is not None)
        self.message.setText(message)

    def _failed(self, exc: Exception) -> None:
        plain = isinstance(exc, (ReportSaveError, PrinterError))
        self._busy(False, str(exc) if plain else f"The report could not be made: {exc}")

    def export_pdf(self) -> None:
        if self.report is not None:
            self._save(save_pdf, "PDF")

    def export_csv(self) -> None:
        if self.report is not None:
            self._save(save_csv, "CSV")

    def _save(self, how: Callable[[Path, DayReport], Path], what: str) -> None:
        self._busy(True, f"Saving the {what}...")
        Op(
            work=partial(how, self.data_folder, self.report),
            on_done=self._saved,
            on_failed=self._failed,
            parent=self,
        ).run()

    def _saved(self, path: Path) -> None:
        self._busy(False, f"Saved {path}")
        self.sig_saved.emit(path)

    def print_report(self) -> None:
        if self.report is None:
            return
        config = self.printer()
        if config.kind == "none":
            self.message.setText("No receipt printer is set up: the report is shown on the left.")
            return
        self._busy(True, "Printing...")
        Op(
            work=partial(send, config, to_escpos(self.report, self.columns)),
            on_done=self._printed,
            on_failed=self._failed,
            parent=self,
        ).run()

    def _printed(self, _: object) -> None:
        self._busy(False, "Sent to the receipt printer.")
        self.sig_printed.emit()
