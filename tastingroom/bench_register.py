"""Register benchmarks (Qt, offscreen): scan-to-line latency and start-up time.

Kept apart from `bench` so that the engine's benchmarks never import Qt.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tastingroom.bench import Figure, _percentiles
from tastingroom.demo import seed_demo
from tastingroom.staff import Role, list_staff
from tastingroom.store.database import Database
from tastingroom.synthetic import generate_catalog

BARE_WINDOW = (
    "import time, sys; t0 = time.perf_counter()\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow, QLabel\n"
    "app = QApplication([]); w = QMainWindow(); w.setCentralWidget(QLabel('hello'))\n"
    "w.resize(1280, 800); w.show(); app.processEvents()\n"
    "print('ready', flush=True)\n"
)
REGISTER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from tastingroom.store.database import Database\n"
    "from ui.app import application, build_window\n"
    "db = Database.open(Path(sys.argv[1])); w = build_window(db)\n"
    "w.resize(1280, 800); w.show(); application().processEvents()\n"
    "print('ready', flush=True)\n"
)


def bench_scan(folder: Path, skus: int, scans: int) -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.app import build_window

    db = Database.open(folder / "scan.sqlite3")
    seed_demo(db)
    generate_catalog(db, skus)
    window = build_window(db)
    window.resize(1280, 800)
    window.show()
    app = QApplication.instance()
    app.processEvents()
    window.signed_in(next(m for m in list_staff(db) if m.role is Role.CASHIER))
    codes = [
        item.barcode
        for item in window.register.catalog.items[:: max(1, skus // 500)]
        if item.barcode
    ]
    samples = []
    for n in range(scans):
        if n % 10 == 0:
            window.new_sale()  # carts of up to ten lines, as at a bar
            app.processEvents()
        code = codes[n % len(codes)]
        started = time.perf_counter_ns()
        window.handle_scan(code)
        window.table.viewport().repaint()
        app.processEvents()
        samples.append(time.perf_counter_ns() - started)
        if window.table.rowCount() == 0:
            raise AssertionError(f"scanning {code} put nothing in the cart")
    window.close()
    window.deleteLater()  # Qt objects go before the interpreter does, never after
    app.processEvents()
    del window
    db.close()
    p50, p99 = _percentiles(samples)
    return [
        Figure(
            f"scan to line visible ({skus:,} SKUs)",
            scans,
            p50,
            p99,
            "p50 <= 16 ms (one 60 Hz frame)",
            p50 <= 16,
        )
    ]


def _time_to_ready(code: str, *args: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    line = proc.stdout.readline() if proc.stdout else ""
    elapsed = time.perf_counter() - started
    proc.kill()
    proc.wait()
    if line.strip() != "ready":
        raise RuntimeError("the window did not start")
    return elapsed


def bench_startup(folder: Path, runs: int) -> list[Figure]:
    path = folder / "startup.sqlite3"
    db = Database.open(path)
    seed_demo(db)
    db.close()
    bare, ours = [], []
    for _ in range(runs):  # interleaved, so both see the same machine
        bare.append(_time_to_ready(BARE_WINDOW))
        ours.append(_time_to_ready(REGISTER, str(path)))
    b50, o50 = statistics.median(bare), statistics.median(ours)
    ratio = o50 / b50
    return [
        Figure(
            "start-up: bare PySide6 window", runs, b50 * 1000, max(bare) * 1000, "baseline", None
        ),
        Figure(
            "start-up: register on the demo winery",
            runs,
            o50 * 1000,
            max(ours) * 1000,
            "p50 <= 2x baseline",
            ratio <= 2,
            f"ratio of medians {ratio:.2f}x",
        ),
    ]
