"""`tastingroom bench`: the speed targets, measured, with baselines from the same run.

Machines here are noisy, so every figure is a median (p50) and a p99 over many runs,
and the commit is compared with a bare `sqlite3` baseline that writes the same rows
with the same pragmas in the same run: the ratio is what the target is about.
"""

from __future__ import annotations

import json
import random
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import httpx

from tastingroom.age import check_birth_date
from tastingroom.cart import Cart
from tastingroom.catalog import CatalogIndex
from tastingroom.demo import ring_demo_sales, seed_demo
from tastingroom.kinds import Kind
from tastingroom.sales import Register
from tastingroom.settings import load_settings
from tastingroom.staff import Role, StaffMember, list_staff
from tastingroom.store.database import BUSY_TIMEOUT_MS, Database
from tastingroom.sync.clock import RealClock, ServerTime
from tastingroom.sync.engine import SyncEngine
from tastingroom.sync.pull import Puller
from tastingroom.synthetic import generate_catalog
from tastingroom.tenders import TenderInput, TenderKind
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.credentials import Credentials
from tastingroom.winedirect.mapping import READS_PER_MINUTE
from tastingroom.winedirect.simulator.server import DEMO_PASSWORD, DEMO_USERNAME

DEMO_CREDENTIALS = Credentials(DEMO_USERNAME, DEMO_PASSWORD)


@dataclass(frozen=True)
class Figure:
    """One measured line; throughput figures have no latency percentiles."""

    name: str
    runs: int
    p50_ms: float | None
    p99_ms: float | None
    target: str
    met: bool | None
    note: str = ""


def _percentiles(samples_ns: list[int]) -> tuple[float, float]:
    ms = sorted(s / 1e6 for s in samples_ns)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return statistics.median(ms), p99


def _time(fn: Callable[[], object], runs: int) -> list[int]:
    out = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        fn()
        out.append(time.perf_counter_ns() - start)
    return out


def bench_search(folder: Path, skus: int, runs: int) -> list[Figure]:
    db = Database.open(folder / "search.sqlite3")
    try:
        generate_catalog(db, skus)
        start = time.perf_counter()
        index = CatalogIndex.from_session(db.read())
        build_s = time.perf_counter() - start
    finally:
        db.close()
    rng = random.Random(3)
    items = index.items
    queries = {
        "name prefix": lambda i: i.name[: rng.randint(3, 8)],
        "substring": lambda i: i.name[4 : 4 + rng.randint(4, 9)],
        "SKU": lambda i: i.code,
        "barcode": lambda i: i.barcode or i.code,
    }
    figures = []
    for label, make in queries.items():
        picks = [make(rng.choice(items)) for _ in range(runs)]
        samples = []
        for q in picks:
            start = time.perf_counter_ns()
            found = index.search(q)
            samples.append(time.perf_counter_ns() - start)
            if not found:
                raise AssertionError(f"search for {q!r} found nothing")
        p50, p99 = _percentiles(samples)
        figures.append(
            Figure(
                f"search {label} ({skus:,} SKUs)",
                runs,
                p50,
                p99,
                "p50 <= 5 ms, p99 <= 20 ms",
                p50 <= 5 and p99 <= 20,
                f"index built in {build_s:.2f} s" if label == "name prefix" else "",
            )
        )
    return figures


def _sale_parts(register: Register, staff: StaffMember, rng: random.Random):
    bottles = [i for i in register.catalog.items if i.kind is Kind.BOTTLE and i.units == 1]
    fees = [i for i in register.catalog.items if i.kind is Kind.TASTING_FEE]
    cart = Cart(staff_id=staff.id)
    for item in rng.sample(bottles, 2):
        cart.add(item)
    cart.add(rng.choice(fees))
    total = register.price(cart).total_cents
    cash = total // 2
    tenders = [
        TenderInput(TenderKind.CASH, cash),
        TenderInput(
            TenderKind.CARD, total - cash, card_type="Visa", card_last4="4242", approval_code="A1"
        ),
    ]
    check = check_birth_date(register.settings, staff.id, date(1980, 5, 17))
    return cart, tenders, check


def _bare_commit(conn: sqlite3.Connection, staff_id: str, seq: list[int]) -> None:
    """The same rows a sale writes, by hand: what SQLite alone costs."""
    ids = [str(uuid.uuid4()) for _ in range(9)]
    now = "2026-11-23 12:00:00.000000"
    seq[0] += 1
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE number_sequence SET last_value = ? WHERE prefix = 'BASE'", (seq[0],))
    conn.execute(
        "INSERT INTO sale_order (id, number, source, status, transaction_type, created_at, "
        "terminal, staff_id, fulfilment, subtotal_cents, discount_cents, tax_cents, "
        "shipping_cents, tip_cents, total_cents, date_modified) "
        "VALUES (?, ?, 'register', 'completed', 'order', ?, 'BASE', ?, 'carry_out', "
        "9000, 0, 776, 0, 0, 9776, ?)",
        (ids[0], f"BASE-{seq[0]:06d}", now, staff_id, now),
    )
    for n in range(3):
        conn.execute(
            "INSERT INTO order_line (id, order_id, line_no, sku_code, name, kind, quantity, "
            "units, unit_price_cents, original_price_cents, discount_cents, taxable, "
            "tax_rate_ppm, tax_cents, net_cents, explanation) "
            "VALUES (?, ?, ?, 'SKU', 'Wine', 'bottle', 1, 1, 3000, 3000, 0, 1, 86250, 259, "
            "3000, '')",
            (ids[1 + n], ids[0], n + 1),
        )
        conn.execute(
            "UPDATE stock SET on_hand = on_hand - 1 WHERE rowid = (SELECT min(rowid) FROM stock)"
        )
    for n, kind in enumerate(("cash", "card")):
        conn.execute(
            "INSERT INTO tender (id, order_id, kind, amount_cents, change_cents) "
            "VALUES (?, ?, ?, 4888, 0)",
            (ids[4 + n], ids[0], kind),
        )
    conn.execute(
        "INSERT INTO age_check (id, order_id, staff_id, checked_at, method, passed, age_years, "
        "purpose) VALUES (?, ?, ?, ?, 'typed_dob', 1, 46, 'sale')",
        (ids[6], ids[0], staff_id, now),
    )
    conn.execute(
        "INSERT INTO outbox_item (id, kind, entity_id, idempotency_key, created_at, state, "
        "attempts) VALUES (?, 'order.upsert', ?, ?, ?, 'pending', 0)",
        (ids[7], ids[0], f"order.upsert:{ids[0]}:0", now),
    )
    conn.execute(
        "INSERT INTO audit_entry (id, at, action, requested_by, order_id, detail) "
        "VALUES (?, ?, 'sale', ?, ?, '')",
        (ids[8], now, staff_id, ids[0]),
    )
    conn.execute("COMMIT")


def bench_commit(folder: Path, runs: int) -> list[Figure]:
    db = Database.open(folder / "commit.sqlite3")
    seed_demo(db)
    register = Register(db)
    cashier = next(s for s in list_staff(db) if s.role is Role.CASHIER)
    rng = random.Random(5)
    parts = [_sale_parts(register, cashier, rng) for _ in range(runs)]
    it = iter(parts)

    def one() -> None:
        cart, tenders, check = next(it)
        register.commit(cart, cashier, tenders, check)

    ours = _time(one, runs)
    db.close()

    baseline_path = folder / "commit.sqlite3"
    conn = sqlite3.connect(baseline_path, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("INSERT INTO number_sequence (prefix, last_value) VALUES ('BASE', 0)")
    seq = [0]
    bare = _time(lambda: _bare_commit(conn, cashier.id, seq), runs)
    conn.close()

    o50, o99 = _percentiles(ours)
    b50, b99 = _percentiles(bare)
    ratio = o50 / b50
    return [
        Figure("sale commit: bare sqlite3 baseline", runs, b50, b99, "baseline", None),
        Figure(
            "sale commit: Register.commit",
            runs,
            o50,
            o99,
            "p50 <= 3x baseline",
            ratio <= 3,
            f"ratio of medians {ratio:.2f}x",
        ),
    ]


# --- sync ---------------------------------------------------------------------------------


def _simulator(*flags: str) -> tuple[subprocess.Popen[str], str]:
    """A simulator in its own process (so it does not share our interpreter's lock)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tastingroom.cli", "simulator", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline() if proc.stdout else ""
    if "listening at" not in line:
        proc.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return proc, line.rsplit(" ", 1)[-1].strip()


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def bench_drain(folder: Path, orders: int, batch_size: int = 25) -> list[Figure]:
    """Drain a queue of `orders` register orders to a simulator, unlimited and rate-limited."""
    queue = folder / "queue.sqlite3"
    db = Database.open(queue)
    seed_demo(db)
    ring_demo_sales(db, orders, seed=1)
    copy = db.backup(folder / "queue-copy.sqlite3")
    db.close()
    ceiling = READS_PER_MINUTE / 60 * batch_size
    figures = []
    runs = (
        ("rate limit off", queue, ("--rate-limit", "0")),
        ("every request held to 480/min", copy, ("--rate-limit", "480", "--limit-writes")),
    )
    for label, path, flags in runs:
        proc, url = _simulator(*flags)
        db = Database.open(path)
        engine = SyncEngine(
            db,
            lambda url=url: WineDirectClient(url, DEMO_CREDENTIALS),
            pull=False,
            batch_size=batch_size,
        )
        try:
            started = time.perf_counter()
            engine.drain()
            elapsed = time.perf_counter() - started
            held = httpx.get(f"{url}/_admin/state", timeout=30).json()["summary"]["register_orders"]
        finally:
            engine.close()
            db.close()
            _stop(proc)
        if held != orders:
            raise AssertionError(f"{held} orders reached the simulator, not {orders}")
        rate = orders / elapsed
        if flags[1] == "0":
            figures.append(
                Figure(
                    f"drain {orders:,} orders, {label}",
                    orders,
                    None,
                    None,
                    "throughput",
                    None,
                    f"{rate:,.0f} orders/s in {elapsed:.1f} s, batches of {batch_size}",
                )
            )
        else:
            ratio = rate / ceiling
            figures.append(
                Figure(
                    f"drain {orders:,} orders, {label}",
                    orders,
                    None,
                    None,
                    f">= 90% of {ceiling:.0f} orders/s",
                    ratio >= 0.9,
                    f"{rate:,.0f} orders/s in {elapsed:.1f} s = {ratio:.0%} of the ceiling",
                )
            )
    return figures


def _peak_rss_kb() -> int:
    """This process's own peak resident memory. Linux's VmHWM starts afresh at exec, while
    `ru_maxrss` keeps the high-water mark of the process that forked us."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def first_pull_child(url: str, path: str) -> None:
    """Run in a fresh process by `bench_first_pull`: pull orders, report time and peak RSS."""
    db = Database.open(Path(path))
    with db.read() as s:
        settings = load_settings(s)
    client = WineDirectClient(url, DEMO_CREDENTIALS)
    before = _peak_rss_kb()
    started = time.perf_counter()
    count = Puller(db, client, settings, ServerTime(RealClock())).pull_orders()
    elapsed = time.perf_counter() - started
    peak = _peak_rss_kb()
    print(json.dumps({"seconds": elapsed, "orders": count, "peak_kb": peak, "before_kb": before}))


def bench_first_pull(folder: Path, web_orders: int) -> list[Figure]:
    path = folder / "fresh.sqlite3"
    db = Database.open(path)
    seed_demo(db)
    db.close()
    proc, url = _simulator("--rate-limit", "0", "--web-orders", str(web_orders))
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from tastingroom.bench import first_pull_child; "
                f"first_pull_child({url!r}, {str(path)!r})",
            ],
            capture_output=True,
            text=True,
            timeout=3600,
            check=True,
        )
    finally:
        _stop(proc)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    peak_mib = result["peak_kb"] / 1024
    grew_mib = (result["peak_kb"] - result["before_kb"]) / 1024
    total = web_orders + 40  # the demo account's own web orders besides
    return [
        Figure(
            f"first pull of {total:,} web orders",
            total,
            None,
            None,
            "time, peak memory",
            None,
            f"{result['seconds']:.1f} s ({total / result['seconds']:,.0f} orders/s), "
            f"{result['orders']:,} stored (pending pickups here); peak RSS "
            f"{peak_mib:.0f} MiB ({grew_mib:.0f} MiB more than before the pull)",
        )
    ]


def run(*, quick: bool = False) -> list[Figure]:
    """All benchmarks; `quick` uses smaller sizes (for a smoke test, not for the targets)."""
    skus, search_runs, commit_runs = (5_000, 100, 30) if quick else (100_000, 1_000, 300)
    drain_orders, web_orders = (300, 500) if quick else (10_000, 20_000)
    scans, startups = (50, 2) if quick else (500, 7)
    from tastingroom.bench_register import bench_scan, bench_startup  # Qt, offscreen

    with tempfile.TemporaryDirectory(prefix="tastingroom-bench-") as tmp:
        folder = Path(tmp)
        return (
            bench_search(folder, skus, search_runs)
            + bench_commit(folder, commit_runs)
            + bench_drain(folder, drain_orders)
            + bench_first_pull(folder, web_orders)
            + bench_scan(folder, skus, scans)
            + bench_startup(folder, startups)
        )


def render(figures: list[Figure]) -> str:
    lines = [f"{'benchmark':<46} {'runs':>6} {'p50 ms':>9} {'p99 ms':>9}  target"]
    for f in figures:
        verdict = "" if f.met is None else ("  met" if f.met else "  MISSED")
        note = f"  ({f.note})" if f.note else ""
        p50 = "-" if f.p50_ms is None else f"{f.p50_ms:.3f}"
        p99 = "-" if f.p99_ms is None else f"{f.p99_ms:.3f}"
        lines.append(f"{f.name:<46} {f.runs:>6} {p50:>9} {p99:>9}  {f.target}{verdict}{note}")
    return "\n".join(lines)


def as_dicts(figures: list[Figure]) -> list[dict]:
    return [asdict(f) for f in figures]
