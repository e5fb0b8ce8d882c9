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

from tastingroom.bench import CATALOG_BYTES_PER_SKU, Figure, _percentiles, fresh_copy
from tastingroom.demo import seed_demo
from tastingroom.staff import Role, list_staff
from tastingroom.store.database import Database
from tastingroom.synthetic import generate_catalog

RSS = (  # the child's own resident memory now, in KiB (-1 where it cannot be read)
    "def rss_kib():\n"
    "    try:\n"
    "        with open('/proc/self/status') as status:\n"
    "            return next(int(l.split()[1]) for l in status if l.startswith('VmRSS:'))\n"
    "    except (OSError, StopIteration):\n"
    "        return -1\n"
)
BARE_WINDOW = (
    "import time, sys; t0 = time.perf_counter()\n"
    + RSS
    + "from PySide6.QtWidgets import QApplication, QMainWindow, QLabel\n"
    "app = QApplication([]); w = QMainWindow(); w.setCentralWidget(QLabel('hello'))\n"
    "w.resize(1280, 800); w.show(); app.processEvents()\n"
    "print('ready', rss_kib(), flush=True)\n"
)
REGISTER = (  # what the `tastingroom` command does, telling the bench its milestones
    "import sys\n" + RSS + "from pathlib import Path\n"
    "import tastingroom.cli\n"
    "from ui.app import run_register\n"
    "run_register(Path(sys.argv[1]), milestone=lambda m: print(m, rss_kib(), flush=True))\n"
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


def _time_to(milestones: tuple[str, ...], code: str, *args: str) -> list[tuple[float, int]]:
    """Seconds from launching `code` in a fresh interpreter to each milestone it prints,
    with its resident memory then (KiB)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    reached = []
    try:
        for expected in milestones:
            line = (proc.stdout.readline() if proc.stdout else "").split()
            if not line or line[0] != expected:
                raise RuntimeError(f"the window did not report {expected!r}")
            reached.append((time.perf_counter() - started, int(line[1])))
    finally:
        proc.kill()
        proc.wait()
    return reached


def bench_startup(folder: Path, database: Path, skus: int, runs: int) -> list[Figure]:
    """A bare PySide6 window against the register on a copy of `database` (a big catalog
    and history, closed cleanly: every run gets a fresh copy, as each register run is
    killed once measured), interleaved so both see the same machine.

    The register is interactive when its lock screen is painted and its event loop runs
    (staff can tap their name and type a PIN); a PIN can be checked once the database is
    open (`ui.app`: the catalog's index is built after that); loaded when the register's
    screens are built and it can sell. Its memory is taken then, with the whole catalog
    indexed, against the bare window's."""
    bare: list[tuple[float, int]] = []
    interactive: list[tuple[float, int]] = []
    pin: list[tuple[float, int]] = []
    loaded: list[tuple[float, int]] = []
    for run in range(runs):
        bare.extend(_time_to(("ready",), BARE_WINDOW))
        copy = fresh_copy(database, folder / f"startup-{run}")
        up, ready, done = _time_to(("interactive", "pin", "loaded"), REGISTER, str(copy))
        interactive.append(up)
        pin.append(ready)
        loaded.append(done)
    b50 = statistics.median(t for t, _ in bare)
    bare_mib, loaded_mib = (statistics.median(k for _, k in x) / 1024 for x in (bare, loaded))
    allowed_mib = 2 * bare_mib + skus * CATALOG_BYTES_PER_SKU / 2**20
    measured = bare_mib > 0 and loaded_mib > 0

    def timing(name: str, times: list[tuple[float, int]], most: float) -> Figure:
        p50 = statistics.median(t for t, _ in times)
        return Figure(
            name,
            runs,
            p50 * 1000,
            max(t for t, _ in times) * 1000,
            f"p50 <= {most:g}x baseline",
            p50 / b50 <= most,
            f"ratio of medians {p50 / b50:.2f}x",
        )

    return [
        Figure(
            "start-up: bare PySide6 window",
            runs,
            b50 * 1000,
            max(t for t, _ in bare) * 1000,
            "baseline",
            None,
            f"RSS {bare_mib:.0f} MiB",
        ),
        timing("start-up: register interactive (lock screen)", interactive, 2),
        timing(f"start-up: a PIN can be checked ({skus:,} SKUs)", pin, 8),
        timing("start-up: register loaded, ready to sell", loaded, 25),
        Figure(
            f"start-up: register RSS when loaded ({skus:,} SKUs)",
            runs,
            None,
            None,
            f"<= 2x bare window + 0.3 KiB a SKU = {allowed_mib:.0f} MiB",
            loaded_mib <= allowed_mib if measured else None,
            f"{loaded_mib:.0f} MiB = {loaded_mib / bare_mib:.2f}x the bare window's "
            f"{bare_mib:.0f} MiB"
            if measured
            else "not measured: this system has no /proc/self/status",
        ),
    ]
