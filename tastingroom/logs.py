"""The log file: what the register and the commands did, for whoever looks after them.

Where: `<data folder>/logs/`, one file per kind of program, because Python's
`RotatingFileHandler` is not safe across processes (one process renames the file while
another still writes to it; on Windows the rename fails outright):

- `tastingroom.log`: the register (`LOG_FILES["register"]`);
- `sync.log`: `tastingroom sync`, which may run beside the register all day;
- `commands.log`: every other command that works on a store (init, backup, restore,
  status, staff, numbering, demo sales).

Two programs of the same kind (two `tastingroom status` at once) may still share a file.
That is tolerated, not prevented: each record is one append; before writing, a handler
whose file was rotated away by the other program opens the new one; and a rotation is
done under a lock file (POSIX), re-checking that the file still needs it, so that two
programs never rotate the same file twice. Lines are never torn; at worst a few land in
the file just rotated.

How much: each file rotates at `MAX_BYTES` (1 MB) and keeps `BACKUP_COUNT` (5) old ones,
so a kind of program never takes more than 6 MB, however long it runs unattended.

What never reaches the file (`SecretFilter`, on the handler, so it covers every logger,
every message, every exception and traceback): the WineDirect webservice password and
username (`hide`; and any password or username field of an echoed request), staff PINs
and PIN hashes, card numbers (13 to 19 digits passing the Luhn check, as
`entry.contains_card_number` says; grouped or not) and magnetic-stripe track data.
`winedirect.errors.scrub` is not reused as it is: it makes a text one line and cuts it
to 2,000 characters, which would ruin a traceback; its password rule is followed.

The folder is private (700) and the files are created 600, like the rest of the data
folder (`store.private`).

This module imports no SQLAlchemy and no Qt: the register sets it up before its window
shows.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path
from xml.sax.saxutils import escape

from tastingroom.store.private import FILE_MODE, private_folder

LOGS_FOLDER = "logs"
LOG_FILES = {"register": "tastingroom.log", "sync": "sync.log", "commands": "commands.log"}
"""The file each kind of program writes (see the module docstring for why per kind)."""
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s [%(process)d %(threadName)s] %(name)s: %(message)s"
MASK = "***"
QUIET_LOGGERS = ("httpx", "httpcore", "alembic.runtime.plugins")
"""Libraries whose INFO lines (every HTTP request of every sync cycle) would fill the
file in hours and rotate the useful history out: only their warnings are kept."""

_SECRET_FIELDS = re.compile(
    r"(<(?:[\w.-]+:)?(?:password|username|pin)\b[^<>]{0,200}(?<!/)>)[^<]{1,1000}"  # <Pin>…
    r"|(\b(?:password|passwd|username|pin|pin_hash|manager_pin)\b['\"]?\s*[=:]\s*)"
    r"(?:[\"'][^\"'\n]{0,1000}[\"']?|[^\s&;,<>\"')\]}]{1,1000})",  # pin=1234, "pin": "1234"
    re.IGNORECASE,
)
"""A secret named by its field: an XML element, `password=…`, `pin: …`, JSON, a repr."""
_PIN_WORDS = re.compile(r"\b(pin(?:\s+code)?\b\W{0,3})\d{4,8}\b", re.IGNORECASE)
"""A PIN written after the word: "PIN 4821", "pin '4821'"."""
_PIN_HASH = re.compile(r"scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+")
_TRACK_DATA = re.compile(
    r"%[A-Z]?\d{6,19}\^[^?\n]{0,120}\?"  # track 1: %B<PAN>^NAME^YYMM…?
    r"|;\d{6,19}=[\d=]{0,40}\?",  # track 2: ;<PAN>=YYMM…?
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"\d+(?:[ .\-\u2010-\u2015\u2212]{1,3}\d+)*")
"""Digits, maybe grouped by spaces, dots or dashes: where a card number could hide."""

_hidden: set[str] = set()
_hidden_lock = threading.Lock()


def hide(*secrets: str | None) -> None:
    """Never let these values reach the log (the WineDirect login once it is known).
    Values of three characters or fewer are ignored: they would mask ordinary words."""
    with _hidden_lock:
        _hidden.update(s for s in secrets if s and len(s) > 3)


def hide_stored_login() -> None:
    """Hide the stored WineDirect login from the log, if one is stored. Any failure (no
    keyring on this computer) leaves only the field rules, which still catch a login
    echoed in a request."""
    try:
        from tastingroom.winedirect.credentials import load_credentials

        credentials = load_credentials()
    except Exception:  # no login, no keyring: nothing to hide
        return
    hide(credentials.password, credentials.username)


def _mask_cards(text: str) -> str:
    if not any(c.isdigit() for c in text):
        return text
    # Imported here: `entry` imports SQLAlchemy, which the register loads after its window.
    from tastingroom.entry import contains_card_number

    def mask(run: re.Match[str]) -> str:
        digits = sum(c.isdigit() for c in run.group())
        if digits >= 13 and contains_card_number(run.group()):
            return MASK
        return run.group()

    return _DIGIT_RUN.sub(mask, text)


def redact(text: str, secrets: set[str] | frozenset[str] = frozenset()) -> str:
    """`text` without any secret: the hidden values (raw or XML-escaped, any case) and
    `secrets`, secret fields, PINs and their hashes, track data and card numbers."""
    with _hidden_lock:
        values = _hidden | set(secrets)
    forms = {f for s in values for f in (s, escape(s), escape(s, {'"': "&quot;", "'": "&apos;"}))}
    for form in sorted(forms, key=len, reverse=True):
        text = re.sub(re.escape(form), MASK, text, flags=re.IGNORECASE)
    text = _SECRET_FIELDS.sub(lambda m: f"{m[1] or m[2]}{MASK}", text)
    text = _PIN_HASH.sub(MASK, text)
    text = _PIN_WORDS.sub(lambda m: f"{m[1]}{MASK}", text)
    text = _TRACK_DATA.sub(MASK, text)
    return _mask_cards(text)


class SecretFilter(logging.Filter):
    """Redacts each record before any handler formats it: the message with its
    arguments, the exception's traceback (exception messages included) and the stack."""

    def __init__(self) -> None:
        super().__init__()
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what was given
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None  # only the redacted text is ever formatted
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log file created 600, that follows a rotation made by another process
    and rotates under a lock file (see the module docstring)."""

    def _open(self):  # type: ignore[no-untyped-def]
        def private(path: str, flags: int) -> int:
            return os.open(path, flags, FILE_MODE)

        private_folder(Path(self.baseFilename).parent)  # made with the first line logged

        stream = open(  # noqa: SIM115 -- the handler owns and closes it
            self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=private
        )
        if os.name == "posix":  # a file from before, made 644; quietly: we are the log
            mode = os.fstat(stream.fileno()).st_mode & 0o777
            if mode & ~FILE_MODE:
                os.fchmod(stream.fileno(), mode & FILE_MODE)
        return stream

    def handleError(self, record: logging.LogRecord) -> None:
        """A log that cannot be written (a full disk) never disturbs the program, nor
        prints on its standard error (which a command's one-line messages own)."""

    def _rotated_away(self) -> bool:
        """Whether the file at our path is no longer the one we write (or is gone)."""
        if self.stream is None:
            return False
        try:
            here = os.stat(self.baseFilename)
        except FileNotFoundError:
            return True
        ours = os.fstat(self.stream.fileno())
        return (here.st_dev, here.st_ino) != (ours.st_dev, ours.st_ino)

    def _reopen(self) -> None:
        if self.stream is not None:
            self.stream.close()
        self.stream = self._open()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._rotated_away():
                self._reopen()
        except OSError:
            self.handleError(record)
            return
        super().emit(record)

    def doRollover(self) -> None:
        with self._rotation_lock():
            if self._rotated_away():  # another process rotated it: write to the new file
                self._reopen()
                return
            super().doRollover()

    @contextlib.contextmanager
    def _rotation_lock(self) -> Iterator[None]:
        try:
            import fcntl
        except ImportError:  # Windows: one file per kind of program keeps this rare
            yield
            return
        lock_path = f"{self.baseFilename}.lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing lets go of the lock


_installed: PrivateRotatingFileHandler | None = None
_previous_levels: dict[str, int] = {}
"""The levels `setup_logging` changed (the root's under ""), put back by `stop_logging`."""


def log_path(data_folder: Path, kind: str = "register") -> Path:
    """Where the program of `kind` writes its log in `data_folder`."""
    return Path(data_folder) / LOGS_FOLDER / LOG_FILES[kind]


def setup_logging(
    data_folder: Path,
    kind: str = "register",
    *,
    level: int = logging.INFO,
    max_bytes: int = MAX_BYTES,
    backup_count: int = BACKUP_COUNT,
) -> Path | None:
    """Send this process's log to its file in `data_folder` (replacing an earlier set-up
    of this module's); returns the file.

    The register opens its file at once, and gets None when it cannot be written (a data
    folder that is a file, a read-only disk): it goes on without a log file rather than
    not start, and says what is wrong in its own way. A command's file (and the logs
    folder) is made with its first line, so a command that has nothing to log, or is
    refused, leaves nothing behind in the data folder."""
    global _installed
    stop_logging()
    path = log_path(data_folder, kind)
    try:
        handler = PrivateRotatingFileHandler(
            path,
            maxBytes=max_bytes,
            backupCount=backup_count,
            encoding="utf-8",
            delay=kind != "register",
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(SecretFilter())
    root = logging.getLogger()
    _previous_levels[""] = root.level
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    for name in QUIET_LOGGERS:
        chatty = logging.getLogger(name)
        _previous_levels[name] = chatty.level
        chatty.setLevel(max(chatty.level, logging.WARNING))
    root.addHandler(handler)
    _installed = handler
    return path


def current_log() -> Path | None:
    """The file this process logs to (None: `setup_logging` has not, or could not)."""
    return Path(_installed.baseFilename) if _installed is not None else None


def stop_logging() -> None:
    """Close the file `setup_logging` opened (a command that has finished)."""
    global _installed
    if _installed is None:
        return
    logging.getLogger().removeHandler(_installed)
    _installed.close()
    for name, level in _previous_levels.items():
        logging.getLogger(name or None).setLevel(level)
    _previous_levels.clear()
    _installed = None


@contextlib.contextmanager
def logging_to(data_folder: Path, kind: str) -> Iterator[Path | None]:
    """`setup_logging` for the length of a `with` block (one command)."""
    path = setup_logging(data_folder, kind)
    try:
        yield path
    finally:
        stop_logging()
