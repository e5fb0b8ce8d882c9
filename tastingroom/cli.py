"""The `tastingroom` command.

With no command it starts the register (on the first-run doors, the demo winery or
setting up a store, when nothing is set up yet). Every command answers `--help`; bad
arguments get one clear line and exit status 2. Only starting the register imports Qt:
everything else runs on a machine with no display. The engine's heavier imports
(SQLAlchemy, Alembic) happen inside the commands, so that the register's lock screen can
appear before they are loaded.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from tastingroom import __version__
from tastingroom.money import format_cents
from tastingroom.paths import DATA_DIR_ENV, data_dir, database_path
from tastingroom.store.errors import StoreError
from tastingroom.store.first_look import data_folder_problem
from tastingroom.winedirect.errors import WineDirectError

if TYPE_CHECKING:
    from tastingroom.reports.day import DayReport
    from tastingroom.store.database import Database
    from tastingroom.winedirect.client import WineDirectClient
    from tastingroom.winedirect.simulator.persist import DemoWineDirect

EXIT_USAGE = 2
EXIT_FAILED = 1


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def _data_dir_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """`--data-dir`, accepted before or after the command at every level.

    Only the top-level parser has a default (None). A subcommand's copy is SUPPRESSed
    when absent, because argparse copies every subparser default over what the levels
    above parsed: `tastingroom --data-dir D staff add X` would otherwise forget D and use
    the platform's data folder.
    """
    parser.add_argument(
        "--data-dir",
        metavar="D",
        default=None if top else argparse.SUPPRESS,
        help=f"folder holding the register's database (default: ${DATA_DIR_ENV}, "
        "else the platform's data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tastingroom",
        description="Tastingroom: the point of sale for winery tasting rooms and market stands. "
        "With no command, starts the register.",
    )
    parser.add_argument("--version", action="version", version=f"tastingroom {__version__}")
    _data_dir_option(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("register", help="start the register (the default)")
    _data_dir_option(p)

    p = sub.add_parser("init", help="create the register's database")
    _data_dir_option(p)
    p.add_argument("--demo", action="store_true", help="fill it with the demo winery")
    p.add_argument(
        "--winedirect-url", metavar="URL", help="WineDirect endpoint (e.g. a simulator's address)"
    )
    p.add_argument("--terminal-prefix", metavar="P", help="order number prefix, e.g. TR2")
    p.add_argument("--website-code", metavar="CODE", help="WineDirect WebsiteCode of this room")
    p.add_argument("--pickup-location", metavar="CODE", help="WineDirect pickup location code")
    p.add_argument("--inventory-pool", metavar="POOL", help="WineDirect inventory pool")

    p = sub.add_parser("sync", help="send what is waiting to WineDirect and pull what changed")
    _data_dir_option(p)
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--once", action="store_true", help="one push-and-pull cycle, then exit")
    how.add_argument("--forever", action="store_true", help="keep syncing until Ctrl-C")
    p.add_argument(
        "--interval",
        type=_count,
        default=30,
        metavar="S",
        help="seconds between cycles with --forever (default 30)",
    )
    p.add_argument(
        "--batch-size",
        type=_count,
        default=25,
        metavar="N",
        help="orders per UpsertOrder call (default 25)",
    )
    p.add_argument(
        "--wait",
        type=_count,
        nargs="?",
        const=600,
        default=None,
        metavar="S",
        help="if the register (or another sync) is syncing this store, wait up to S seconds "
        "(default 600) for it to finish instead of leaving at once",
    )
    p.add_argument(
        "--winedirect-url",
        metavar="URL",
        help="demo winery only: a simulated WineDirect on this computer to sync with, e.g. "
        "http://127.0.0.1:8065 (default: the demo's own, kept in its data folder)",
    )

    p = sub.add_parser("demo", help="demo and training tools")
    _data_dir_option(p)
    demo_sub = p.add_subparsers(dest="demo_command", metavar="WHAT", parser_class=_Parser)
    sales = demo_sub.add_parser(
        "sales", help="ring N realistic demo sales through the register's own commit path"
    )
    _data_dir_option(sales)
    sales.add_argument("--count", type=_count, required=True, metavar="N")
    sales.add_argument("--seed", type=int, default=None, help="repeatable sales")

    p = sub.add_parser("staff", help="who can sign in to the register")
    _data_dir_option(p)
    staff_sub = p.add_subparsers(dest="staff_command", metavar="WHAT", parser_class=_Parser)
    add = staff_sub.add_parser("add", help="add a person with a PIN (asked for, never echoed)")
    _data_dir_option(add)
    add.add_argument("name", help='their name as the lock screen shows it, e.g. "Dana Cruz"')
    add.add_argument("--role", choices=("cashier", "manager", "owner"), default="cashier")
    add.add_argument(
        "--pin-stdin", action="store_true", help="read the PIN from standard input (scripts)"
    )
    listing = staff_sub.add_parser("list", help="everyone who can sign in, with their role")
    _data_dir_option(listing)

    p = sub.add_parser("backup", help="copy the database safely while the register runs")
    _data_dir_option(p)
    p.add_argument(
        "--to",
        metavar="FILE",
        help="where to write the copy (a folder: a dated file in it); never the live database",
    )

    p = sub.add_parser("restore", help="put a backup back in place of the register's database")
    _data_dir_option(p)
    p.add_argument(
        "backup",
        nargs="?",
        metavar="BACKUP",
        help="the backup file (default: the newest in backups/ beside the database)",
    )

    p = sub.add_parser("numbering", help="this register's order-number series")
    _data_dir_option(p)
    numbering_sub = p.add_subparsers(dest="numbering_command", metavar="WHAT", parser_class=_Parser)
    series = numbering_sub.add_parser(
        "new-series", help="move this register to a new order-number series (TR1 -> TR1_2)"
    )
    _data_dir_option(series)
    series.add_argument(
        "--renumber-unsent",
        action="store_true",
        help="also renumber the orders never sent to WineDirect into the new series",
    )
    series.add_argument(
        "--reason",
        default="a manager started a new series",
        help="why, for the audit trail and the notice staff see",
    )

    p = sub.add_parser("status", help="database, pending sync items and last sync")
    _data_dir_option(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser(
        "simulator",
        help="run a simulated WineDirect on 127.0.0.1 (training, demos, tests)",
        description="A faithful local WineDirect: the same SOAP endpoints, seeded from the demo "
        "winery. Each rate is a fraction from 0 to 1.",
    )
    p.add_argument(
        "--port",
        type=_port,
        default=8065,
        help="port on 127.0.0.1 (default 8065; 0 picks a free one)",
    )
    p.add_argument("--username", default=None, help="webservice username to accept")
    p.add_argument("--password", default=None, help="webservice password to accept")
    p.add_argument("--latency-ms", type=_count, default=0, metavar="MS")
    p.add_argument(
        "--fail-rate",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="share of requests answered HTTP 503",
    )
    p.add_argument(
        "--rate-limit",
        type=_count,
        default=480,
        metavar="N",
        help="requests a minute per username (0 lifts it; default 480)",
    )
    p.add_argument("--limit-writes", action="store_true", help="apply the rate limit to writes too")
    p.add_argument(
        "--reset-before-write",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="share of writes whose connection is reset before they apply",
    )
    p.add_argument(
        "--drop-reply-after-write",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="share of writes applied whose reply is then lost",
    )
    p.add_argument(
        "--malformed-rate",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="share of replies that are not well-formed XML",
    )
    p.add_argument(
        "--web-activity",
        type=_count,
        default=0,
        metavar="N",
        help="web events a minute: new web and pickup orders, shipments",
    )
    p.add_argument("--seed", type=int, default=None, help="repeatable faults and activity")
    p.add_argument(
        "--web-orders",
        type=_count,
        default=0,
        metavar="N",
        help="extra web orders to start with (a quarter of them pickups)",
    )

    p = sub.add_parser("winedirect", help="WineDirect connection tools")
    _data_dir_option(p)
    wd_sub = p.add_subparsers(dest="wd_command", metavar="WHAT", parser_class=_Parser)
    check = wd_sub.add_parser(
        "check", help="one read-only call per WineDirect service, each reported as working or not"
    )
    _data_dir_option(check)
    check.add_argument("--base-url", metavar="URL", help="endpoint to check (default: settings)")

    p = sub.add_parser(
        "report",
        help="this register's day report (the Reports screen's, as text; --save: CSV and PDF)",
    )
    _data_dir_option(p)
    p.add_argument(
        "--day",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="the store's day to report (default: today, in the store's time zone)",
    )
    p.add_argument(
        "--save", action="store_true", help="also save it as CSV and PDF in the data folder"
    )

    p = sub.add_parser("screenshots", help="render the register's screens to PNG files")
    p.add_argument("folder", metavar="DIR", help="where to write the PNG files")

    p = sub.add_parser("bench", help="measure search and sale-commit speed against targets")
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not targets")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a day: write it as 2026-11-23 (year-month-day)"
        ) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the count cannot be negative")
    return value


def _port(text: str) -> int:
    value = _count(text)
    if not 0 <= value < 65536:
        raise argparse.ArgumentTypeError("a port is a number from 1 to 65535 (0: any free port)")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("a rate is a fraction from 0 to 1")
    return value


def _folder(args: argparse.Namespace) -> Path:
    """The data folder the command works in; refused when it cannot be one (a file)."""
    folder = data_dir(getattr(args, "data_dir", None))
    problem = data_folder_problem(folder)
    if problem:
        raise StoreError(problem)
    return folder


class _Stopped(Exception):
    """SIGTERM arrived: stop as cleanly as after Ctrl-C."""


def _raise_stopped(signum: int, frame: object) -> NoReturn:
    raise _Stopped


class _UntilStopped:
    """Ctrl-C or SIGTERM ends the `with` block quietly. A job started in the background
    from a script has SIGINT ignored, and service managers, `kill` and test harnesses send
    SIGTERM: both stop a long-running command cleanly. The handler is in place before the
    block's first line (say, "listening at …"), so a SIGTERM sent as soon as that line is
    read is never lost; a second SIGTERM during the clean-up ends the program at once, as
    the default handler, restored on leaving, does."""

    def __enter__(self) -> _UntilStopped:
        self._previous = signal.signal(signal.SIGTERM, _raise_stopped)
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> bool:
        signal.signal(signal.SIGTERM, self._previous)
        return kind is not None and issubclass(kind, (KeyboardInterrupt, _Stopped))


def _open_existing(args: argparse.Namespace) -> Database:
    path = database_path(_folder(args))
    if not path.exists():
        raise StoreError(
            f"There is no register database at {path}. "
            "Run 'tastingroom init' (or 'tastingroom init --demo') first."
        )
    from tastingroom.store.database import Database

    return Database.open(path)


def cmd_init(args: argparse.Namespace) -> int:
    from tastingroom.store_setup import init_store

    result = init_store(
        database_path(_folder(args)),
        demo=args.demo,
        winedirect_url=args.winedirect_url,
        terminal_prefix=args.terminal_prefix,
        website_code=args.website_code,
        pickup_location=args.pickup_location,
        inventory_pool=args.inventory_pool,
    )
    for line in result.lines():
        print(line)
    return 0


def cmd_demo_sales(args: argparse.Namespace) -> int:
    from tastingroom.demo.winery import ring_demo_sales
    from tastingroom.selling.numbering import check_home
    from tastingroom.settings import load_settings

    db = _open_existing(args)
    try:
        with db.read() as s:
            demo = load_settings(s).demo_mode
        if not demo:  # made-up sales would go up to the winery's real WineDirect account
            raise StoreError(
                "Demo sales go only into a demo winery, never into a store's own database: "
                "make one with 'tastingroom --data-dir FOLDER init --demo'."
            )
        notice = check_home(db, db.path.parent)  # before any number is issued
        if notice:
            print(notice)
        sales = ring_demo_sales(db, args.count, seed=args.seed)
    finally:
        db.close()
    total = sum(s.priced.total_cents for s in sales)
    if sales:
        print(
            f"Rang {len(sales)} sales ({sales[0].number} to {sales[-1].number}), "
            f"{format_cents(total)} in all."
        )
    else:
        print("Rang no sales.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from tastingroom.store.backups import backup_name, make_backup

    db = _open_existing(args)
    try:
        if args.to:
            target = Path(args.to).expanduser()
            if target.is_dir():
                target = target / backup_name(datetime.now())
            db.backup(target)
        else:
            target = make_backup(db)  # into backups/, private; the register never prunes it
    finally:
        db.close()
    print(f"Backed up to {target}.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from tastingroom.store.restore import restore_backup

    result = restore_backup(_folder(args), Path(args.backup).expanduser() if args.backup else None)
    print(
        f"Restored {result.backup} (written {result.backup_time:%Y-%m-%d %H:%M}, "
        f"{result.orders} orders) to {result.database}."
    )
    if result.kept_at is None:
        print("There was no database here before; nothing was replaced.")
    elif result.kept_consistent:
        print(f"The database it replaced is kept at {result.kept_at}.")
    else:
        print(
            f"The database it replaced could not be read; its files were moved, as they were, "
            f"to {result.kept_at}."
        )
    print(result.notice)
    print(
        "Sales rung after that backup was made are not in it; those already sent are in WineDirect."
    )
    return 0


def cmd_numbering_new_series(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from tastingroom.selling.numbering import record_high_water, start_new_series
    from tastingroom.store.models import AuditEntry
    from tastingroom.sync.lock import SyncLock

    db = _open_existing(args)
    try:
        # A running register keeps numbering with the prefix it started with, and its sync
        # may be sending the very orders --renumber-unsent would renumber.
        lock = SyncLock(db.path, role="numbering")
        if not lock.acquire(blocking=False):
            raise StoreError(
                f"The register's database is in use by {lock.holder() or 'another program'}. "
                "Close the register and stop any 'tastingroom sync' first; nothing was changed."
            )
        try:
            prefix = start_new_series(db, args.reason, renumber_unsent=args.renumber_unsent)
            record_high_water(db, db.path.parent)
            with db.read() as s:
                detail = s.scalar(
                    select(AuditEntry.detail)
                    .where(AuditEntry.action == "new_number_series")
                    .order_by(AuditEntry.at.desc())
                    .limit(1)
                )
        finally:
            lock.release()
    finally:
        db.close()
    print(f"Terminal prefix: {prefix}")
    print(detail)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from tastingroom.status import read_status

    db = _open_existing(args)
    try:
        status = read_status(db)
    finally:
        db.close()
    if args.json:
        print(json.dumps(status.as_dict(), indent=2))
    else:
        print(status.render())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The day report as text; with --save, its CSV and PDF (the same files the Reports
    screen's Export buttons write) in `<data>/reports/`."""
    from tastingroom.reports.day import day_report
    from tastingroom.reports.exports import ReportSaveError, save_csv, to_text
    from tastingroom.selling.age import store_today
    from tastingroom.settings import load_settings

    folder = _folder(args)
    db = _open_existing(args)
    try:
        with db.read() as s:
            settings = load_settings(s)
        report = day_report(db, args.day or store_today(settings))
    finally:
        db.close()
    print(to_text(report, REPORT_COLUMNS))
    if not args.save:
        return 0
    try:
        print(save_csv(folder, report))
        print(_save_pdf(folder, report))
    except ReportSaveError as exc:
        print(f"tastingroom: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return 0


REPORT_COLUMNS = 64
"""The text report's width in a terminal (the printer's is the store's paper width)."""


def _save_pdf(folder: Path, report: DayReport) -> Path:
    """The PDF is drawn by Qt (`ui.reports.pdf`): offscreen, as no window is shown."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from ui.reports.pdf import save_pdf

    _app = QGuiApplication.instance() or QGuiApplication([])
    return save_pdf(folder, report)


def cmd_bench(args: argparse.Namespace) -> int:
    from tastingroom.bench import targets as bench

    figures = bench.run(quick=args.quick)
    if args.json:
        print(json.dumps(bench.as_dicts(figures), indent=2))
    else:
        print(bench.render(figures))
    missed = [f.name for f in figures if f.met is False]
    if missed and not args.quick:  # a quick run is a smoke test at small sizes, not targets
        print(f"tastingroom: {len(missed)} target(s) missed: {'; '.join(missed)}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def cmd_simulator(args: argparse.Namespace) -> int:
    from tastingroom.winedirect.simulator.activity import WebActivity
    from tastingroom.winedirect.simulator.server import (
        DEMO_PASSWORD,
        DEMO_USERNAME,
        Faults,
        Simulator,
    )
    from tastingroom.winedirect.simulator.state import SimState

    faults = Faults(
        latency_ms=args.latency_ms,
        fail_rate=args.fail_rate,
        rate_limit=args.rate_limit,
        limit_writes=args.limit_writes,
        reset_before_write=args.reset_before_write,
        drop_reply_after_write=args.drop_reply_after_write,
        malformed_rate=args.malformed_rate,
    )
    state = SimState.demo()
    for n in range(args.web_orders):
        state.create_web_order(pickup=n % 4 == 0)
    try:
        sim = Simulator(
            state,
            username=args.username or DEMO_USERNAME,
            password=args.password or DEMO_PASSWORD,
            faults=faults,
            port=args.port,
            seed=args.seed,
        ).start()
    except OSError as exc:
        raise StoreError(f"Cannot listen on 127.0.0.1:{args.port} ({exc.strerror}).") from None
    activity = None
    if args.web_activity:
        activity = WebActivity(sim.state, args.web_activity, lambda line: print(line, flush=True))
        activity.start()
    print(f"Simulated WineDirect listening at {sim.url}", flush=True)
    print(f"  webservice username: {sim.username}", flush=True)
    if not args.password:
        print(f"  webservice password: {sim.password} (the demo password)", flush=True)
    print(f"  state: {sim.url}/_admin/state   faults: POST JSON to {sim.url}/_admin/faults")
    try:
        with _UntilStopped():
            print("Press Ctrl-C to stop.", flush=True)
            threading.Event().wait()
    finally:
        if activity:
            activity.stop()
        sim.stop()
    return 0


def _sync_target(
    db: Database, override: str | None
) -> tuple[Callable[[], WineDirectClient], str, DemoWineDirect | None]:
    """How `tastingroom sync` reaches WineDirect: a client factory, where it goes (for
    people), and the demo's own simulator when it is the one (to stop at the end).

    A demo database syncs only with a simulator on this computer, with the demo's login
    (`persist.demo_sync_url`); a store syncs with the address `init` gave it.
    """
    from tastingroom.settings import load_settings
    from tastingroom.winedirect.client import WineDirectClient, check_base_url
    from tastingroom.winedirect.credentials import load_credentials
    from tastingroom.winedirect.simulator.persist import (
        DEMO_CREDENTIALS,
        DemoWineDirect,
        demo_sync_url,
    )

    with db.read() as s:
        settings = load_settings(s)
    if settings.demo_mode:
        local = demo_sync_url(settings.winedirect_url, override)
        if local is None:
            demo = DemoWineDirect(db.path.parent)  # started once this sync holds the lock
            return demo.client, f"the demo's own simulated WineDirect ({demo.path})", demo
        return lambda: WineDirectClient(local, DEMO_CREDENTIALS), local, None
    if override is not None:
        raise StoreError(
            "--winedirect-url is for the demo winery's simulators; this store syncs with the "
            f"address it was set up with ({settings.winedirect_url}), which 'tastingroom init "
            "--winedirect-url' changes. Nothing was sent."
        )
    url = check_base_url(settings.winedirect_url)
    credentials = load_credentials()
    return lambda: WineDirectClient(url, credentials), url, None


def cmd_sync(args: argparse.Namespace) -> int:
    from tastingroom.selling.numbering import check_home
    from tastingroom.sync.engine import SyncEngine, SyncThread

    db = _open_existing(args)
    demo = None
    try:
        client_factory, where, demo = _sync_target(db, args.winedirect_url)
        engine = SyncEngine(db, client_factory, batch_size=max(1, args.batch_size))
        try:
            if not engine.take_lock(wait_s=float(args.wait or 0)):
                print(
                    f"This store is already syncing ({engine.lock.holder() or 'another program'}"
                    "); nothing to do here. Use --wait to wait for it to finish."
                )
                return 0
            notice = check_home(db, db.path.parent)
            if notice:
                print(notice)
            if args.once:
                report = engine.run_once(force=True)
                pulled = ", ".join(f"{k} {v}" for k, v in report.pulled.items()) or "nothing"
                print(
                    f"Sent {report.sent}, refused {report.quarantined}, settled "
                    f"{report.settled}; pulled: {pulled}."
                )
                if report.error:
                    print(f"tastingroom: {report.error}", file=sys.stderr)
                    return EXIT_FAILED
                return 0
            thread = SyncThread(engine, interval_s=max(1, args.interval)).start()
            try:
                with _UntilStopped():
                    every = f"every {args.interval} s"
                    print(f"Syncing with {where} {every}; Ctrl-C stops.", flush=True)
                    threading.Event().wait()
                print("Stopping after the current batch…", flush=True)
            finally:
                thread.stop()
            return 0
        finally:
            if demo is not None:  # saved before the lock is let go (see `SyncBridge.stop`)
                demo.stop()
            engine.close()
    finally:
        db.close()


def cmd_winedirect_check(args: argparse.Namespace) -> int:
    from tastingroom.settings import load_settings
    from tastingroom.store.database import Database
    from tastingroom.winedirect.check import render, run_checks
    from tastingroom.winedirect.client import WineDirectClient, check_base_url
    from tastingroom.winedirect.credentials import load_credentials

    url = args.base_url
    if url is None:
        path = database_path(_folder(args))
        if path.exists():
            db = Database.open(path)
            with db.read() as s:
                url = load_settings(s).winedirect_url
            db.close()
        else:
            from tastingroom.settings import StoreSettings

            url = StoreSettings().winedirect_url
    check_base_url(url)  # refuse an unsafe address before asking for the login
    with WineDirectClient(url, load_credentials()) as client:
        results = run_checks(client)
    print(render(client.base_url, results))
    return 0 if all(r.ok for r in results) else EXIT_FAILED


def cmd_staff_add(args: argparse.Namespace) -> int:
    from tastingroom.people.staff import Role
    from tastingroom.store_setup import add_person

    db = _open_existing(args)
    try:
        if args.pin_stdin:
            pin = again = sys.stdin.readline().strip()
        else:
            import getpass

            pin = getpass.getpass(f"PIN for {args.name} (4 to 8 digits): ")
            again = getpass.getpass("The same PIN again: ")
        member = add_person(db, args.name, Role(args.role), pin, again)  # PINs differ: refused
    finally:
        db.close()
    print(f"{member.name} ({member.role.value}) can sign in now.")
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    from tastingroom.people.staff import list_staff

    db = _open_existing(args)
    try:
        for member in list_staff(db):
            print(f"{member.name}\t{member.role.value}")
    finally:
        db.close()
    return 0


def cmd_screenshots(args: argparse.Namespace) -> int:
    from ui.screenshots import render  # Qt, offscreen
    from ui.worker import shutdown

    try:
        for path in render(Path(args.folder)):
            print(path)
    finally:
        shutdown()  # a running QThread at exit aborts the interpreter
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    from ui.app import run_register  # Qt is imported only by the commands that show it

    # The register says what is wrong with its data folder on its lock screen (and on
    # standard error): started from a desktop icon, nobody reads a terminal.
    return run_register(database_path(data_dir(getattr(args, "data_dir", None))))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    commands = {
        None: cmd_register,
        "register": cmd_register,
        "init": cmd_init,
        "backup": cmd_backup,
        "restore": cmd_restore,
        "status": cmd_status,
        "report": cmd_report,
        "bench": cmd_bench,
        "screenshots": cmd_screenshots,
        "simulator": cmd_simulator,
        "sync": cmd_sync,
    }
    if args.command == "demo":
        if args.demo_command != "sales":
            parser.exit(
                EXIT_USAGE, "tastingroom demo: say what to do, e.g. 'demo sales --count 10'\n"
            )
        handler = cmd_demo_sales
    elif args.command == "staff":
        if args.staff_command not in ("add", "list"):
            parser.exit(
                EXIT_USAGE, "tastingroom staff: say what to do, e.g. 'staff add \"Dana Cruz\"'\n"
            )
        handler = cmd_staff_add if args.staff_command == "add" else cmd_staff_list
    elif args.command == "numbering":
        if args.numbering_command != "new-series":
            parser.exit(
                EXIT_USAGE, "tastingroom numbering: say what to do, e.g. 'numbering new-series'\n"
            )
        handler = cmd_numbering_new_series
    elif args.command == "winedirect":
        if args.wd_command != "check":
            parser.exit(
                EXIT_USAGE, "tastingroom winedirect: say what to do, e.g. 'winedirect check'\n"
            )
        handler = cmd_winedirect_check
    else:
        handler = commands[args.command]
    with _command_log(args):
        try:
            return handler(args)
        except (StoreError, WineDirectError, ValueError, PermissionError) as exc:
            print(f"tastingroom: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except Exception:
            logging.getLogger(__name__).exception("tastingroom %s failed", args.command)
            raise


STORE_COMMANDS = frozenset(
    {"init", "backup", "restore", "status", "report", "sync", "demo", "staff", "numbering"}
)
"""The commands that work on a store, and so log to its data folder (`tastingroom.logs`).
The register sets up its own log (`ui.app.run_register`)."""


def _command_log(args: argparse.Namespace) -> contextlib.AbstractContextManager[object]:
    """The log of a command that works on a store: `sync.log` for `sync`, which may run
    beside the register all day, `commands.log` for the others. Never for a data folder
    that does not exist (but for `init`, which makes it): a mistyped `--data-dir` is said
    by the command, not answered by a new folder."""
    from tastingroom.logs import logging_to

    if args.command not in STORE_COMMANDS:
        return contextlib.nullcontext()
    folder = data_dir(getattr(args, "data_dir", None))
    if args.command != "init" and not folder.is_dir():
        return contextlib.nullcontext()
    return logging_to(folder, "sync" if args.command == "sync" else "commands")


if __name__ == "__main__":
    sys.exit(main())
