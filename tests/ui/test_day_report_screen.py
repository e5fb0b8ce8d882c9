"""The day report screen over a real database: today's figures and charts, a real PDF
and CSV in the data folder, and the text version sent as ESC/POS to a file printer."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tastingroom.demo.winery import ring_demo_sales
from tastingroom.devices.printer import PrinterConfig
from tastingroom.devices.receipt import receipt_text
from tastingroom.money import format_cents
from tastingroom.paths import resources_dir
from tastingroom.store.database import Database
from ui.reports.day_report_screen import DayReportScreen

SHOTS = Path("/tmp/shots")


@pytest.fixture
def screen(qtbot, demo_db: Database, tmp_path: Path):
    ring_demo_sales(demo_db, 25, seed=5)
    printer = PrinterConfig("file", path=str(tmp_path / "printer.bin"))
    QApplication.instance().setStyleSheet((resources_dir() / "style.qss").read_text("utf-8"))
    widget = DayReportScreen(demo_db, lambda: printer, data_folder=tmp_path / "data")
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitUntil(lambda: widget.report is not None, timeout=10_000)
    return widget


def test_the_screen_shows_todays_figures_and_charts(screen: DayReportScreen):
    report = screen.report
    assert report.sales.count == 25
    assert format_cents(report.net_sales_cents) in screen.headline.text()
    assert format_cents(report.sales.total_cents) in screen.figures.toPlainText()
    assert all(chart.report is report for chart in screen.charts)
    assert all(b.isEnabled() and b.height() >= 44 for b in screen.buttons)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert screen.grab().save(str(SHOTS / "day_report.png"))


def test_export_writes_a_real_pdf_and_a_csv(qtbot, screen: DayReportScreen, tmp_path: Path):
    with qtbot.waitSignal(screen.sig_saved, timeout=10_000) as saved:
        screen.pdf_button.click()
    pdf = saved.args[0]
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 2_000
    with qtbot.waitSignal(screen.sig_saved, timeout=10_000) as saved:
        screen.csv_button.click()
    csv_path = saved.args[0]
    assert csv_path.parent == pdf.parent == tmp_path / "data" / "reports"
    assert csv_path.read_text("utf-8").startswith("Day report\n")
    assert str(csv_path) in screen.message.text()


def test_print_sends_escpos_to_the_printer(qtbot, screen: DayReportScreen, tmp_path: Path):
    with qtbot.waitSignal(screen.sig_printed, timeout=10_000):
        screen.print_button.click()
    data = (tmp_path / "printer.bin").read_bytes()
    assert data.startswith(b"\x1b@") and b"\x1dV" in data  # reset first, cut at the end
    assert "Day report, register TR1" in receipt_text(data)


def test_an_unwritable_data_folder_is_said_in_words(qtbot, screen: DayReportScreen, tmp_path):
    screen.data_folder = tmp_path / "not-a-folder"
    screen.data_folder.write_text("a file")
    screen.csv_button.click()
    qtbot.waitUntil(lambda: "could not be saved" in screen.message.text(), timeout=10_000)
    assert screen.csv_button.isEnabled()
