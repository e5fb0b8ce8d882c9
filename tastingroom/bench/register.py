"""Register benchmarks (Qt, offscreen): scan-to-line latency and start-up time.

Kept apart from `bench` so that the engine's benchmarks never import Qt.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tastingroom.bench.targets import (
    CATALOG_BYTES_PER_SKU,
    Figure,
    _percentiles,
    _sale_parts,
    cached_database,
    fresh_copy,
)
from tastingroom.demo.synthetic import generate_catalog
from tastingroom.demo.winery import seed_demo
from tastingroom.people.staff import Role, list_staff
from tastingroom.store.database import Database

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


CART_LINES = 30
"""A big tasting-room order: a club member's mixed case and then some."""


def _scan_carts(window, app, codes: list[str], carts: int) -> tuple[list[int], list[int]]:
    """Scan `carts` carts of `CART_LINES` new lines each, then once more every line
    already in the cart (a second bottle); the nanoseconds from the scanner's Enter to
    the line being painted, for new lines and for repeats. The codes arrive as a
    keyboard-wedge scanner types them, key by key into the focused search field, through
    the register's scanner filter."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    new, repeat = [], []

    def scan(code: str) -> int:
        QTest.keyClicks(window.selling.search, code)
        started = time.perf_counter_ns()
        QTest.keyClick(window.selling.search, Qt.Key.Key_Return)
        window.selling.table.viewport().repaint()
        app.processEvents()
        return time.perf_counter_ns() - started

    for cart in range(carts):
        window.selling.new_sale()
        app.processEvents()
        chosen = [codes[(cart * CART_LINES + k) % len(codes)] for k in range(CART_LINES)]
        new.extend(scan(code) for code in chosen)
        if window.selling.table.rowCount() != CART_LINES:
            raise AssertionError(f"{CART_LINES} scans made {window.selling.table.rowCount()} lines")
        repeat.extend(scan(code) for code in chosen)
        if any(line.quantity != 2 for line in window.selling.cart.lines):
            raise AssertionError("a repeated scan did not add one more of its line")
    return new, repeat


def _scan_figures(label: str, new: list[int], repeat: list[int]) -> list[Figure]:
    figures = []
    for kind, samples in (("new line", new), ("repeat of a line", repeat)):
        p50, p99 = _percentiles(samples)
        figures.append(
            Figure(
                f"scan into a {CART_LINES}-line cart, {kind}{label}",
                len(samples),
                p50,
                p99,
                "p99 <= 16 ms (one 60 Hz frame)",
                p99 <= 16,
            )
        )
    return figures


def bench_scan(folder: Path, skus: int, carts: int, web_orders: int) -> list[Figure]:
    """Scans into 30-line carts on the real window, first with nothing else running, then
    while the register's own sync thread makes a new register's first pull of
    `web_orders` web orders from a simulator in another process (its parsing and writes
    share this interpreter with the window, as in the register)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    import ui.app
    from tastingroom.bench.targets import _simulator, _stop
    from tastingroom.winedirect.client import WineDirectClient
    from tastingroom.winedirect.simulator.persist import DEMO_CREDENTIALS
    from ui.app import build_window
    from ui.sync_bridge import SyncBridge

    ui.app.FREEZE_HEAP = True  # as `run_register` does, for the register's one window
    db = Database.open(folder / "scan.sqlite3")
    seed_demo(db)
    generate_catalog(db, skus)
    proc, url = _simulator("--web-orders", str(web_orders))
    clients: list[WineDirectClient] = []

    def connect() -> WineDirectClient:
        clients.append(WineDirectClient(url, DEMO_CREDENTIALS))
        return clients[-1]

    bridge = SyncBridge(db, connect, interval_s=3600)
    window = build_window(db, bridge)
    window.resize(1280, 800)
    window.show()
    app = QApplication.instance()
    app.processEvents()
    try:
        window.signed_in(next(m for m in list_staff(db) if m.role is Role.CASHIER))
        codes = [
            item.barcode
            for item in window.register.catalog.items[:: max(1, skus // 1000)]
            if item.barcode
        ]
        figures = _scan_figures("", *_scan_carts(window, app, codes, carts))
        bridge.start()
        client = _wait_for_first_request(clients, app)
        before = client.requests
        during = _scan_carts(window, app, codes, carts)
        made = client.requests - before
        if not made:
            raise AssertionError("the pull made no request while the scans ran")
        for figure in _scan_figures(", during a first pull", *during):
            figures.append(
                Figure(
                    figure.name,
                    figure.runs,
                    figure.p50_ms,
                    figure.p99_ms,
                    figure.target,
                    figure.met,
                    f"the pull made {made:,} requests meanwhile",
                )
            )
    finally:
        bridge.stop()  # first, then what it sent is taken in (a catalog refresh, say),
        app.processEvents()  # so the window's close stops the worker it may have started
        window.close()
        _stop(proc)
        window.deleteLater()  # Qt objects go before the interpreter does, never after
        app.processEvents()
        del window
        db.close()
        ui.app.FREEZE_HEAP = False
    return figures


def _wait_for_first_request(clients: list, app) -> object:
    """The sync engine's client once it has made a request: the pull is under way."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        app.processEvents()
        if clients and clients[-1].requests:
            return clients[-1]
        time.sleep(0.01)
    raise AssertionError("the register's sync thread made no request within a minute")


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


# --- after a sale, and the orders screen, against the history ---------------------------


def _history_window(folder: Path, sales: int):
    """The register's real window on a copy of the demo winery with `sales` past sales
    (a year of them at 200,000), signed in, on the favourites page."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.app import build_window

    db = Database.open(fresh_copy(cached_database(0, sales), folder / f"history-{sales}"))
    window = build_window(db)
    window.resize(1280, 800)
    window.show()
    app = QApplication.instance()
    app.processEvents()
    window.signed_in(next(m for m in list_staff(db) if m.role is Role.CASHIER))
    return window, app, db


def _close(window, app, db: Database) -> None:
    window.close()
    window.deleteLater()  # Qt objects go before the interpreter does, never after
    app.processEvents()
    db.close()


def _after_sale(window, app, runs: int) -> tuple[list[int], list[int]]:
    """Ring `runs` sales as the payment dialog commits them; for each, the UI thread's
    time in what follows a paid sale (`RegisterScreen._paid`: a new sale at once, the status
    and the favourites asked of the worker), and the time until the status bar shows the
    new sale waiting to sync (the worker's read, off the UI thread)."""
    from types import SimpleNamespace

    register = window.register
    staff = window.staff
    rng = random.Random(11)
    on_ui, until_shown = [], []
    for _ in range(runs):
        cart, tenders, check = _sale_parts(register, staff, rng)
        sale = register.commit(cart, staff, tenders, check)
        window.selling.payment_dialog = SimpleNamespace(sale=sale)  # what the dialog leaves behind
        before = window.status_label.text()
        started = time.perf_counter_ns()
        window.selling._paid()
        on_ui.append(time.perf_counter_ns() - started)
        deadline = time.monotonic() + 30
        while window.status_label.text() == before and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.0005)
        if window.status_label.text() == before:
            raise AssertionError("the status bar never showed the sale waiting to sync")
        until_shown.append(time.perf_counter_ns() - started)
    window.selling.payment_dialog = None
    return on_ui, until_shown


SEARCHES = ("number", "last digits", "common", "nothing matches", "no search")
"""What staff type into the orders screen: a whole order number from a receipt, its last
four digits, a part shared by thousands (`HIST-0`), a name nobody has, and nothing."""


def _searches(window, app, runs: int) -> tuple[list[int], int]:
    """The orders screen searched `runs` times over `SEARCHES` (the search itself and the
    table shown, as after the typing pause); the nanoseconds each, and the rows found."""
    from tastingroom.selling.orders import list_orders

    screen = window.orders
    window.show_screen("Orders")
    app.processEvents()
    numbers = [row.number for row in list_orders(window.register.db)]
    rng = random.Random(3)
    samples, found = [], 0
    for n in range(runs):
        number = rng.choice(numbers)
        query = (number, number[-4:], number[:6], "zqxj nobody", "")[n % len(SEARCHES)]
        screen.search.setText(query)
        started = time.perf_counter_ns()
        screen.reload()
        app.processEvents()  # the table laid out and painted (an update is a posted event)
        samples.append(time.perf_counter_ns() - started)
        found += screen.model.rowCount()
        if query == number and number not in {t[0].split(" ")[0] for t in screen.model.texts}:
            raise AssertionError(f"searching {number} did not find it")
    screen.search.setText("")
    return samples, found


def _like_scan(db: Database, runs: int) -> list[int]:
    """The baseline: the orders search as it was, a LIKE over every order's fields and its
    customer's, newest first (what each keystroke cost before the index)."""
    from sqlalchemy import or_, select

    from tastingroom.entry import matches
    from tastingroom.store.models import Customer, Order

    samples = []
    with db.read() as s:
        numbers = list(s.scalars(select(Order.number).limit(2000)))
    rng = random.Random(3)
    for _ in range(runs):
        q = rng.choice(numbers)[-4:]
        started = time.perf_counter_ns()
        with db.read() as s:
            s.execute(
                select(Order, Customer)
                .outerjoin(Customer, Customer.id == Order.customer_id)
                .where(
                    or_(
                        matches(Order.number, q),
                        matches(Order.tracking_number, q),
                        matches(Customer.email, q),
                        matches(Customer.first_name + " " + Customer.last_name, q),
                    )
                )
                .order_by(Order.created_at.desc())
                .limit(200)
            ).all()
        samples.append(time.perf_counter_ns() - started)
    return samples


def bench_history(folder: Path, histories: Sequence[int], runs: int) -> list[Figure]:
    """After-sale work and the orders screen's search on the real window, with each
    history of past sales; at the largest, the old LIKE search as the baseline."""
    figures: list[Figure] = []
    for sales in histories:
        window, app, db = _history_window(folder, sales)
        try:
            on_ui, shown = _after_sale(window, app, runs)
            searched, found = _searches(window, app, runs * len(SEARCHES))
            baseline = _like_scan(db, runs) if sales == max(histories) else []
        finally:
            _close(window, app, db)
        p50, p99 = _percentiles(on_ui)
        s50, _ = _percentiles(shown)
        figures.append(
            Figure(
                f"after a sale, on the UI thread, {sales:,} sales",
                runs,
                p50,
                p99,
                "p99 <= 5 ms",
                p99 <= 5,
                f"status shown {s50:.1f} ms after (p50; read on the worker)",
            )
        )
        if baseline:
            b50, b99 = _percentiles(baseline)
            figures.append(
                Figure(
                    f"orders search as a LIKE scan, {sales:,} sales",
                    runs,
                    b50,
                    b99,
                    "baseline (before the index)",
                    None,
                )
            )
        q50, q99 = _percentiles(searched)
        figures.append(
            Figure(
                f"orders search and table, {sales:,} sales",
                len(searched),
                q50,
                q99,
                "p99 <= 20 ms",
                q99 <= 20,
                f"{found / len(searched):.0f} rows shown on average",
            )
        )
    return figures
