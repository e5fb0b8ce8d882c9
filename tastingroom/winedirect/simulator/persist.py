"""The demo winery's own WineDirect, which keeps its account from one start to the next.

The demo register syncs with a simulated WineDirect running inside it. Its web orders
carry WineDirect's order numbers and ids, and the register keeps them; a simulator that
made its account anew at every start would hand the second start the same order numbers
under new ids, and every pull would set them aside. So the demo's simulator keeps its
account in the demo's data folder (`demo-winedirect.json`, private like everything in
that folder) and picks it up again at the next start: the same records and ids, its
numbers and its random generator going on where they stopped. The file is replaced
atomically after every change (a write the register sent, a web event), with the
account's lock held and before any reply, so whatever a register has seen is on disk.

It starts only in the program whose sync engine holds the store's sync lock (the
register, or a `tastingroom sync`): two programs each running the demo's account would
each write their own version of it.

`demo_sync_url` is the one rule for where a demo database syncs: a simulator on this
computer, never a real WineDirect account, and always with the demo's own login.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from contextlib import suppress
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from tastingroom.winedirect.client import WineDirectClient, check_base_url, is_loopback
from tastingroom.winedirect.credentials import Credentials
from tastingroom.winedirect.errors import ConfigurationError
from tastingroom.winedirect.simulator.activity import step
from tastingroom.winedirect.simulator.server import DEMO_PASSWORD, DEMO_USERNAME, Simulator
from tastingroom.winedirect.simulator.state import SimState

log = logging.getLogger(__name__)

STATE_FILENAME = "demo-winedirect.json"
FORMAT = 1
"""The state file's layout; a file of another layout is refused, never half-read."""

DEMO_CREDENTIALS = Credentials(DEMO_USERNAME, DEMO_PASSWORD)
"""The only login a demo database ever sends: never the winery's own."""

WEB_EVENTS_PER_MINUTE = 6.0
"""New web orders and shipments in the demo's account, so a newcomer sees pickups arrive."""


class DemoStaysLocal(ConfigurationError):
    """A demo database was pointed at something other than a simulator on this computer."""


class DemoStateUnreadable(ConfigurationError):
    """The demo's saved WineDirect account cannot be read back."""


# --- where a demo database syncs -------------------------------------------------------------


def demo_sync_url(configured: str, override: str | None = None) -> str | None:
    """The simulator a demo database syncs with; None means the demo's own (`DemoWineDirect`).

    `override` (`tastingroom sync --winedirect-url`) must be a simulator on this computer,
    or it is refused. Without it, the address in the settings is used when it is on this
    computer (`init --demo --winedirect-url`, for a trainer's `tastingroom simulator`);
    otherwise it is WineDirect's real address, which a demo never uses.
    """
    if override is not None:
        url = check_base_url(override)
        if not _on_this_computer(url):
            raise DemoStaysLocal(
                f"This is the demo winery's database: it syncs only with a simulated WineDirect "
                f"on this computer (such as http://127.0.0.1:8065), never with {url}, so that "
                "demo sales never reach a real WineDirect account; nothing was sent or changed. A "
                "store of its own goes in a folder of its own: tastingroom --data-dir FOLDER init"
            )
        return url
    try:
        url = check_base_url(configured)
    except ConfigurationError:
        return None
    return url if _on_this_computer(url) else None


def _on_this_computer(url: str) -> bool:
    return is_loopback(httpx.URL(url).host)


# --- the state file ------------------------------------------------------------------------


def _tag(value: object) -> object:
    """JSON for the two kinds of value WineDirect's records hold beyond JSON's own."""
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    raise TypeError(f"a {type(value).__name__} cannot be kept in the simulator's state file")


def _untag(obj: dict[str, Any]) -> object:
    if len(obj) == 1:
        if "$decimal" in obj:
            return Decimal(obj["$decimal"])
        if "$datetime" in obj:
            return datetime.fromisoformat(obj["$datetime"])
    return obj


def save_state(state: SimState, path: Path) -> None:
    """Replace the file at `path` with the account, atomically and readable only by this
    account (it holds the demo customers' details)."""
    with state.lock:
        text = json.dumps(
            {"format": FORMAT, "account": state.snapshot()}, default=_tag, separators=(",", ":")
        )
        _write_private(path, text.encode("utf-8"))


def load_state(path: Path) -> SimState:
    """The account saved at `path`; `DemoStateUnreadable` says why it cannot be."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"), object_hook=_untag)
        if saved.get("format") != FORMAT:
            raise ValueError(f"format {saved.get('format')!r}, not {FORMAT}")
        return SimState.from_snapshot(saved["account"])
    except (OSError, ValueError, KeyError, TypeError, ArithmeticError) as exc:
        why = f"{exc} is missing" if isinstance(exc, KeyError) else str(exc)
        raise DemoStateUnreadable(
            f"The demo's simulated WineDirect account at {path} cannot be read ({why}). The "
            "demo database already holds its web orders, so a new account would clash with "
            "them: put that file back as it was (from a copy of the data folder), or start a "
            "fresh demo in a folder of its own (tastingroom --data-dir FOLDER init --demo)."
        ) from exc


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a flushed temporary file and a rename, mode 600."""
    tmp = path.with_name(path.name + ".partial")
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
        fd = os.open(tmp, flags, 0o600)
        with open(fd, "wb") as fh:
            if hasattr(os, "fchmod"):  # a leftover temporary file keeps its old mode
                os.fchmod(fh.fileno(), 0o600)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


# --- the running account -------------------------------------------------------------------


class DemoWineDirect:
    """The demo's simulated WineDirect on 127.0.0.1, its account kept in `folder`."""

    def __init__(self, folder: Path, web_events_per_minute: float = WEB_EVENTS_PER_MINUTE) -> None:
        self.path = Path(folder) / STATE_FILENAME
        self.simulator: Simulator | None = None
        self._interval_s = 60.0 / web_events_per_minute
        self._starting = threading.Lock()
        self._stopping = threading.Event()
        self._activity: threading.Thread | None = None

    def start(self) -> Simulator:
        """Load the saved account (or make the demo's first one and save it) and serve it;
        once started, the running simulator."""
        with self._starting:
            if self.simulator is not None:
                return self.simulator
            state = load_state(self.path) if self.path.exists() else SimState.demo()
            simulator = Simulator(state, on_change=self.save)
            save_state(state, self.path)  # before anything can read a record of it
            self.simulator = simulator.start()
            self._activity = threading.Thread(
                target=self._web_activity, name="wd-demo-activity", daemon=True
            )
            self._activity.start()
            return simulator

    def client(self) -> WineDirectClient:
        """A client of the demo's account with the demo's login, starting the simulator on
        first use: the sync engine asks for one only once it holds the store's sync lock."""
        return WineDirectClient(self.start().url, DEMO_CREDENTIALS)

    def save(self) -> None:
        """Keep the account on disk. A failed write (a full disk) is logged, and the
        simulator goes on from memory: the demo's register has the same disk to complain
        about."""
        if self.simulator is None:
            return
        try:
            save_state(self.simulator.state, self.path)
        except OSError:
            log.exception("the demo's WineDirect account could not be saved to %s", self.path)

    def _web_activity(self) -> None:
        """The world moving on (see `activity.step`), each event saved before anyone can
        read it."""
        assert self.simulator is not None  # started before this thread
        state = self.simulator.state
        while not self._stopping.wait(self._interval_s):
            with state.lock:
                log.debug("demo WineDirect: %s", step(state))
                self.save()

    def stop(self) -> None:
        """Stop serving and save the account as it stands."""
        self._stopping.set()
        if self._activity is not None:
            self._activity.join(timeout=5)
        if self.simulator is not None:
            self.simulator.stop()
            self.save()
