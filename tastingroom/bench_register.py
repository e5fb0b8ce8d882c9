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
REGISTER = (  # what the `tastingroom` command does, telling the bench its milestones
    "import sys\n"
    "from pathlib import Path\n"
    "import tastingroom.cli\n"
    "from ui.app import run_register\n"
    "run_register(Path(sys.argv[1]), milestone=lambda m: print(m, flush=True))\n"
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


def _time_to(milestones: tuple[str, ...], code: str, *args: str) -> list[float]:
    """Seconds from launching `code` in a fresh interpreter to each milestone it prints."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    times = []
    try:
        for expected in milestones:
            line = proc.stdout.readline() if proc.stdout else ""
            if line.strip() != expected:
                raise RuntimeError(f"the window did not report {expected!r}")
            times.append(time.perf_counter() - started)
    finally:
        proc.kill()
        proc.wait()
    return times


def bench_startup(folder: Path, runs: int) -> list[Figure]:
    """A bare PySide6 window against the register, interleaved so both see the same
    machine. The register is interactive when its lock screen is painted and its event
    loop runs (staff can tap their name and type a PIN); loaded when the engine is ready
    to check that PIN and sell."""
    path = folder / "startup.sqlite3"
    db = Database.open(path)
    seed_demo(db)
    db.close()
    bare, interactive, loaded = [], [], []
    for _ in range(runs):
        bare.extend(_time_to(("ready",), BARE_WINDOW))
        up, done = _time_to(("interactive", "loaded"), REGISTER, str(path))
        interactive.append(up)
        loaded.append(done)
    b50, i50, l50 = (statistics.median(x) for x in (bare, interactive, loaded))
    return [
        Figure(
            "start-up: bare PySide6 window", runs, b50 * 1000, max(bare) * 1000, "baseline", None
        ),
        Figure(
            "start-up: register interactive (lock screen)",
            runs,
            i50 * 1000,
            max(interactive) * 1000,
            "p50 <= 2x baseline",
            i50 / b50 <= 2,
            f"ratio of medians {i50 / b50:.2f}x",
        ),
        Figure(
            "start-up: register loaded (engine ready)",
            runs,
            l50 * 1000,
            max(loaded) * 1000,
            "reported",
            None,
            f"ratio of medians {l50 / b50:.2f}x",
        ),
    ]
