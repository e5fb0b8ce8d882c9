"""Setting a register up: the one engine path behind `tastingroom init`, `tastingroom staff
add` and the register's first-run assistant, so that the command line and the assistant
never drift apart.

Where things live. A data folder holds at most one store of its own, in
`tastingroom.sqlite3` (`paths.database_path`). The demo winery that the first-run doors
offer as a training store lives in the `demo/` folder inside it (`training_folder`): the
same private folder (700, like everything the register keeps), one place to back up or
remove, and never the store's own database. A sibling folder was the alternative; it
would put a second folder beside whatever the owner chose with `--data-dir` (a home
folder, say), which nobody asked for. The demo's database, its numbering file and its
simulated WineDirect account (`demo-winedirect.json`) all stay in `demo/`; nothing of it
is copied into a store, and the demo syncs only with a simulator on this computer
(`winedirect.simulator.persist.demo_sync_url`).

What a start opens (`plan_start`): the store when there is one (its lock screen offers
the training store); else the training store when it exists (its lock screen offers
"Set up my winery"); else the two doors. A database made by `tastingroom init --demo` in
the data folder itself is opened as it always was.

Saving: nothing of the assistant's answers is written until the owner confirms the last
step. `set_up_store` then builds the whole store (the same `init_store` and `add_person`
calls the command line makes, then the settings) in a database of its own beside the
real one (`SETUP_FILENAME`), closes it, and only then moves it into place with one
atomic rename. A program killed at any moment leaves either no store (and, at most, that
unfinished file, which the next set-up discards: the doors show again) or the whole one:
never a half store that later starts as if it were complete.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tastingroom.paths import database_path
from tastingroom.store.errors import StoreError

if TYPE_CHECKING:
    from tastingroom.people.staff import Role, StaffMember
    from tastingroom.store.database import Database
    from tastingroom.winedirect.check import CheckResult
    from tastingroom.winedirect.client import WineDirectClient
    from tastingroom.winedirect.credentials import Credentials

DEMO_FOLDER_NAME = "demo"
"""The training store's folder inside the data folder (see the module docstring)."""
SETUP_FILENAME = "tastingroom.setup.sqlite3"
"""Where `set_up_store` builds a store before it is moved into place."""
DEMO_PREFIX = "TR1"
"""The demo's terminal prefix, and every register's before prefixes were random."""
MAX_TAX_PPM = 250_000
"""The highest sales tax the assistant accepts (25%): a rate above it is a slip of the
finger (8.625 typed as 86.25), not a tax any state or country charges on wine sales."""
CHECK_DEADLINE_S = 20.0
"""How long one call of the assistant's login check may take: the owner is waiting."""
SAMPLE_ORDERS = 5
"""Recent orders read in detail to offer the WebsiteCode and pickup location."""

STORE_NAME_LENGTH = 60
"""The store's name is on every receipt and the lock screen's title."""

_SIDES = ("-wal", "-shm", "-journal", ".open-lock")
"""Files SQLite and `store.openlock` keep beside a database."""


# --- what a start opens -----------------------------------------------------------------------


def training_folder(folder: Path) -> Path:
    """The demo training store's data folder inside `folder`."""
    return Path(folder) / DEMO_FOLDER_NAME


def is_blank(path: Path) -> bool:
    """No store at `path`: no file, an empty file, or a database with no product, staff
    or setting at all. Read with the standard library's sqlite3, read-only, so that the
    start-up decision costs no engine import. A file that cannot be read is not blank:
    the register opens it and says what is wrong with it."""
    if not path.is_file() or path.stat().st_size == 0:
        return True
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
        try:
            tables = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            return not any(
                conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()  # three fixed names
                for table in ("product", "staff", "setting")
                if table in tables
            )
        finally:
            conn.close()
    except sqlite3.Error:
        return False


@dataclass(frozen=True)
class StartPlan:
    """What the register opens on a start in one data folder."""

    database: Path | None
    """The database to open; None: show the two doors."""
    demo_if_empty: bool = False
    """Seed the demo winery into it if it is blank (the training store, first opened)."""
    store: Path | None = None
    """The store's own database, when there is one: the training store's way back."""
    training: Path | None = None
    """The training store's database, offered from the store's lock screen."""
    unfinished: bool = False
    """A set-up was started and not finished here (nothing of it is used)."""

    @property
    def offer_setup(self) -> bool:
        """Open on the training store with no store yet: offer "Set up my winery"."""
        return self.demo_if_empty and self.store is None


def plan_start(database: Path) -> StartPlan:
    """What a start of the register with `database` as its store's path opens."""
    from tastingroom.store.first_look import data_folder_problem, first_look

    folder = database.parent
    if data_folder_problem(folder):
        return StartPlan(database)  # its register says what is wrong, and opens nothing
    training = database_path(training_folder(folder))
    unfinished = (folder / SETUP_FILENAME).exists()
    if not is_blank(database):
        look = first_look(database)
        demo = look is not None and look.demo
        return StartPlan(database, store=database, training=None if demo else training)
    if not is_blank(training):
        return StartPlan(training, demo_if_empty=True, unfinished=unfinished)
    return StartPlan(None, unfinished=unfinished)


def training_plan(database: Path) -> StartPlan:
    """The training store beside the store at `database`, or in its place while there is
    none yet (the demo door); made at its first opening."""
    return StartPlan(
        database_path(training_folder(database.parent)),
        demo_if_empty=True,
        store=None if is_blank(database) else database,
    )


# --- init and staff add: the command line's calls ---------------------------------------------


@dataclass(frozen=True)
class InitResult:
    """What `init_store` did, for the command line to say (`lines`)."""

    path: Path
    demo: bool
    changes: dict[str, object]
    notes: dict[str, str]
    kept_prefix: str | None
    notice: str | None

    def lines(self) -> list[str]:
        """What `tastingroom init` prints, in its order."""
        if self.demo:
            out = [f"Created the demo winery at {self.path}."]
        else:
            out = [
                f"Database ready at {self.path}.",
                'Next: tastingroom staff add "Your Name" --role owner',
            ]
        if self.kept_prefix is not None:
            out.append(f"Terminal prefix: {self.kept_prefix} (kept)")
        for key, value in self.changes.items():
            out.append(f"{key.replace('_', ' ').capitalize()}: {value}{self.notes.get(key, '')}")
        if self.notice:
            out.append(self.notice)
        return out


def init_store(
    path: Path,
    *,
    demo: bool = False,
    winedirect_url: str | None = None,
    terminal_prefix: str | None = None,
    website_code: str | None = None,
    pickup_location: str | None = None,
    inventory_pool: str | None = None,
    home: Path | None = None,
) -> InitResult:
    """`tastingroom init`: create (or update) the database at `path` and set where and as
    whom this terminal syncs. `home` is the data folder the database will live in (its
    numbering file goes there; `path`'s own folder unless the store is being built
    elsewhere first). Refuses to mix the demo and a store (`refuse_to_mix`)."""
    from sqlalchemy import select

    from tastingroom.demo.winery import seed_demo
    from tastingroom.selling.numbering import check_home, generate_prefix
    from tastingroom.settings import load_settings, save_settings
    from tastingroom.store.database import Database
    from tastingroom.store.models import NumberSequence, Setting
    from tastingroom.winedirect.client import check_base_url
    from tastingroom.winedirect.simulator.persist import demo_sync_url

    url = check_base_url(winedirect_url) if winedirect_url else None
    if demo and url:
        demo_sync_url(url, override=url)  # a demo syncs with a simulator on this computer only
    db = Database.open(path)
    try:
        refuse_to_mix(db, demo=demo)
        if demo:
            seed_demo(db)
        with db.read() as s:
            row = s.get(Setting, "terminal_prefix")
            current = load_settings(s).terminal_prefix
            issued = any(s.scalars(select(NumberSequence.last_value)))
        changes: dict[str, object] = {} if demo else {"demo_mode": False}
        changes |= {
            key: value
            for key, value in (
                ("winedirect_url", url),
                ("terminal_prefix", terminal_prefix),
                ("website_code", website_code),
                ("pickup_location", pickup_location),
                ("inventory_pool", inventory_pool),
            )
            if value
        }
        notes: dict[str, str] = {}
        kept = None
        if "terminal_prefix" in changes:
            if row is not None and changes["terminal_prefix"] != current:
                notes["terminal_prefix"] = f" (was {current})"
        elif row is None and not issued:
            # A register of its own: two registers on one "TR1" would overwrite each
            # other's orders in WineDirect. Never chosen for a database that has a prefix,
            # or has numbered sales with the default one.
            changes["terminal_prefix"] = prefix = generate_prefix()
            notes["terminal_prefix"] = (
                f" (unique to this register; its sales are numbered {prefix}-000001 and up)"
            )
        elif not demo:
            kept = current
        if changes:
            with db.write() as s:
                save_settings(s, **changes)
        notice = check_home(db, home or db.path.parent)
    finally:
        db.close()
    return InitResult(Path(path), demo, changes, notes, kept, notice)


def refuse_to_mix(db: Database, *, demo: bool) -> None:
    """`init --demo` only into an empty database, and `init` never over the demo: the demo
    winery's customers, staff PINs and sales must never become a store's (whose sync would
    send them to the winery's WineDirect account), nor a store be filled with the demo."""
    from tastingroom.demo.winery import is_empty
    from tastingroom.settings import load_settings

    if is_empty(db):
        return
    with db.read() as s:
        is_demo = load_settings(s).demo_mode
    if demo and is_demo:
        raise StoreError(
            f"{db.path} already has the demo winery; nothing was changed. Start it with: "
            f"tastingroom --data-dir {db.path.parent}"
        )
    if demo:
        raise StoreError(
            f"{db.path} already has a store in it; nothing was changed. The demo goes in a "
            "folder of its own: tastingroom --data-dir DEMO-FOLDER init --demo"
        )
    if is_demo:
        raise StoreError(
            f"{db.path} holds the demo winery, which never syncs with a real WineDirect account; "
            "nothing was changed. A store of its own goes in a folder of its own: "
            "tastingroom --data-dir ~/Tastingroom init …"
        )


class PinsDiffer(PermissionError):
    """The PIN typed the second time is not the first one: nobody is added."""


def check_new_pin(pin: str, again: str) -> None:
    """A new PIN as `add_person` takes it: typed twice the same, 4 to 8 digits (the rule
    `staff.add_staff` enforces). Raised as the engine's own errors, in words for people."""
    from tastingroom.people.staff import _valid_pin  # the one PIN rule, also applied by add_staff

    if pin != again:
        raise PinsDiffer("the two PINs differ; nobody was added.")
    _valid_pin(pin)


def add_person(db: Database, name: str, role: Role, pin: str, again: str) -> StaffMember:
    """`tastingroom staff add`: someone who may sign in, their PIN typed twice."""
    from tastingroom.people.staff import add_staff

    if pin != again:
        raise PinsDiffer("the two PINs differ; nobody was added.")
    return add_staff(db, name, role, pin)


# --- what the assistant checks before anything is saved -----------------------------------------


def check_store_name(name: str) -> str:
    """The store's name as receipts and the lock screen show it (the text rule every
    field staff type follows: `entry.text`)."""
    from tastingroom import entry  # imports SQLAlchemy: not at start-up (`plan_start`)

    cleaned = entry.text(name, entry.TextField("store_name", "The store's name", STORE_NAME_LENGTH))
    if not cleaned:
        raise entry.EntryRefused("Type the store's name, as receipts should show it.", "name")
    return cleaned


def check_owner_name(name: str) -> str:
    """The owner's name as the sign-in button shows it (the staff-name rule)."""
    from tastingroom import entry

    cleaned = entry.text(name, entry.STAFF_NAME)
    if not cleaned:
        raise entry.EntryRefused("Type your name, as the sign-in button should show it.", "name")
    return cleaned


def check_timezone(name: str) -> str:
    """An IANA time zone this computer knows ("America/Los_Angeles")."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = name.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise StoreError(
            f"“{name}” is not a time zone this computer knows; choose one from the list "
            "(Region/City, e.g. America/Los_Angeles)."
        ) from None
    return name


def check_tax_rate(text: str) -> int:
    """The store's sales tax as typed ("8.625" or "8.625%"), in parts per million."""
    from tastingroom import entry

    ppm = entry.percent(text or "0", "tax")
    if ppm > MAX_TAX_PPM:
        raise entry.EntryRefused(
            f"{text.strip()}% is more sales tax than anywhere charges (at most 25%); "
            "check the number (8.625, not 86.25).",
            "tax",
        )
    return ppm


def check_prefix(prefix: str, folder: Path) -> str:
    """A terminal prefix for a new store in `folder`: the settings' rule (letters and
    digits), no longer than the database keeps, and not one known to be in use: the
    demo's `TR1` (every register's prefix before they were random) or any prefix a
    database in this folder has numbered sales with (`numbering.json`). WineDirect itself
    is read for it before this register's first order goes up (`Pusher.verify_prefix`),
    which holds the orders back if another register uses it."""
    from tastingroom.selling.numbering import MAX_PREFIX_LENGTH, read_high_water
    from tastingroom.settings import StoreSettings

    cleaned = prefix.strip().upper()
    StoreSettings(terminal_prefix=cleaned)  # SettingsError: letters and digits
    if len(cleaned) > MAX_PREFIX_LENGTH:
        raise StoreError(f"A terminal prefix is at most {MAX_PREFIX_LENGTH} characters.")
    if cleaned == DEMO_PREFIX:
        raise StoreError(
            f"{DEMO_PREFIX} is the demo's prefix, and was every register's before each had "
            "its own: choose another, unique to this register."
        )
    water = read_high_water(folder)
    if water is not None and cleaned in water.high:
        raise StoreError(
            f"Orders numbered {cleaned}-… were already made by a database in this folder; "
            "choose another prefix."
        )
    return cleaned


# --- WineDirect: the login check, and the codes it can offer -------------------------------------


@dataclass(frozen=True)
class Offered:
    """Codes seen in WineDirect's records, most frequent first. WineDirect has no call
    that lists websites, pickup locations or inventory pools, so these are read from its
    inventory, club memberships and a few recent orders; empty when none were seen."""

    website_codes: tuple[str, ...] = ()
    pickup_locations: tuple[str, ...] = ()
    pools: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoginCheck:
    """The login tried against WineDirect: each service's result, or why none answered."""

    url: str
    results: tuple[CheckResult, ...] = ()
    unreachable: str | None = None
    """Nothing answered at that address (said in words); `results` is then empty."""
    offered: Offered = field(default_factory=Offered)

    @property
    def ok(self) -> bool:
        return self.unreachable is None and bool(self.results) and all(r.ok for r in self.results)


def try_login(url: str, credentials: Credentials) -> LoginCheck:
    """Try a login as `tastingroom winedirect check` does (`winedirect.check.run_checks`,
    one read-only call per service), and when every service answers, read the codes it
    can offer (`discover_codes`). An address where nothing answers is said once, after
    one call, rather than after five timeouts. Raises `ConfigurationError` for an address
    that may not be used (plain http to another computer, not a web address)."""
    from tastingroom.winedirect.check import run_checks
    from tastingroom.winedirect.client import WineDirectClient, check_base_url
    from tastingroom.winedirect.errors import ConnectionFailed, WineDirectError

    base = check_base_url(url)
    with WineDirectClient(base, credentials, deadline=CHECK_DEADLINE_S) as client:
        try:
            client.search_clubs(max_rows=1)
        except ConnectionFailed as exc:
            return LoginCheck(base, unreachable=str(exc))
        except WineDirectError:
            pass  # answered, with a refusal: the check below says which service and why
        results = tuple(run_checks(client))
        check = LoginCheck(base, results)
        if check.ok:
            check = LoginCheck(base, results, offered=discover_codes(client))
    return check


def _most_common(values: Iterable[str | None]) -> tuple[str, ...]:
    counted = Counter(v.strip() for v in values if v and v.strip())
    return tuple(value for value, _ in counted.most_common())


def discover_codes(client: WineDirectClient, sample: int = SAMPLE_ORDERS) -> Offered:
    """The WebsiteCodes, pickup location codes and inventory pools seen in WineDirect's
    records: pools from its inventory, pickup locations from club memberships and recent
    pickup orders, websites from recent orders (a V3 order's `WebsiteID`, the code an
    order is sent with). A few reads in all; one that fails only offers less."""
    from tastingroom.winedirect.errors import WineDirectError

    pools: list[str | None] = []
    pickups: list[str | None] = []
    websites: list[str | None] = []
    with contextlib.suppress(WineDirectError):
        pools += [level.pool for level in client.search_inventory(max_rows=100).items]
    with contextlib.suppress(WineDirectError):
        memberships = client.search_club_memberships(max_rows=100).items
        pickups += [m.pickup_location for m in memberships if m.is_pickup]
    for pickup in (True, None):
        with contextlib.suppress(WineDirectError):
            for summary in client.search_orders(pickup=pickup, max_rows=sample).items:
                detail = client.get_order(order_id=summary.order_id)
                if detail is not None:
                    pickups.append(detail.pickup_location)
                    websites.append(detail.website_id)
    return Offered(_most_common(websites), _most_common(pickups), _most_common(pools))


# --- the assistant's one write ---------------------------------------------------------------


@dataclass(frozen=True)
class StoreSetup:
    """Everything the first-run assistant asks, checked step by step, saved at the end."""

    store_name: str
    timezone: str
    owner_name: str
    owner_pin: str = field(repr=False)
    winedirect_url: str
    credentials: Credentials
    website_code: str
    pickup_location: str
    inventory_pool: str
    terminal_prefix: str
    tax_rate_ppm: int
    printer_kind: str = "none"
    printer_address: str = ""
    receipt_columns: int = 42


def discard_unfinished(folder: Path) -> bool:
    """Remove a store that was being built in `folder` and never moved into place (the
    program was stopped first); True when there was one."""
    staging = Path(folder) / SETUP_FILENAME
    found = staging.exists()
    for path in (staging, *(staging.with_name(staging.name + side) for side in _SIDES)):
        path.unlink(missing_ok=True)
    return found


def set_up_store(
    folder: Path,
    setup: StoreSetup,
    *,
    save_login: Callable[[Credentials], None] | None = None,
) -> Path:
    """Make the store the assistant was told about in `folder`, all at once; its database.

    The same calls as the command line: `init_store` (`tastingroom init` with the
    address, prefix and codes), the settings the Settings screen saves (name, time zone,
    tax, printer), and `add_person` (`tastingroom staff add --role owner`). They run on
    a database beside the real one, which is moved into place only once it is complete
    and closed (see the module docstring); the login goes to the keyring just before."""
    from tastingroom.people.staff import Role
    from tastingroom.settings import save_settings
    from tastingroom.store.database import Database, fsync_folder
    from tastingroom.winedirect.credentials import store_credentials

    folder = Path(folder)
    target = database_path(folder)
    if not is_blank(target):
        raise StoreError(f"{target} already holds a store; nothing was changed.")
    check_new_pin(setup.owner_pin, setup.owner_pin)
    discard_unfinished(folder)
    staging = folder / SETUP_FILENAME
    try:
        init_store(
            staging,
            winedirect_url=setup.winedirect_url,
            terminal_prefix=setup.terminal_prefix,
            website_code=setup.website_code,
            pickup_location=setup.pickup_location,
            inventory_pool=setup.inventory_pool,
            home=folder,
        )
        db = Database.open(staging)
        try:
            with db.write() as s:
                save_settings(
                    s,
                    store_name=setup.store_name,
                    timezone=setup.timezone,
                    tax_rate_ppm=setup.tax_rate_ppm,
                    printer_kind=setup.printer_kind,
                    printer_address=setup.printer_address,
                    receipt_columns=setup.receipt_columns,
                )
            add_person(db, setup.owner_name, Role.OWNER, setup.owner_pin, setup.owner_pin)
        finally:
            db.close()
        (save_login or store_credentials)(setup.credentials)
        _move_into_place(staging, target)
    except BaseException:
        discard_unfinished(folder)  # a refusal leaves nothing; a kill is caught next time
        raise
    fsync_folder(folder)
    return target


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename the closed, complete database at `staging` to `target` (blank, or absent).

    SQLite deletes the write-ahead log when the last connection closes, so a -wal with
    something in it means the database is not closed: refused rather than moved without
    its latest pages. A blank file at `target` (left by an older start) goes first, with
    its own side files, so that no stale -wal of it is ever read as the new store's."""
    wal = staging.with_name(staging.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreError(f"{staging} is still open; the new store was not moved into place.")
    for side in _SIDES:
        staging.with_name(staging.name + side).unlink(missing_ok=True)
        target.with_name(target.name + side).unlink(missing_ok=True)
    os.replace(staging, target)
