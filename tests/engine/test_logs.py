"""The log file: private, bounded, shared safely between programs, and never holding a
password, a PIN or a card number, even inside an exception's message or traceback."""

from __future__ import annotations

import logging
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tastingroom import logs
from tastingroom.cli import main
from tastingroom.store.database import Database

PASSWORD = "Vin-Secret-2024!"
PIN = "4821"
CARD = "4111 1111 1111 1111"
CARD_PLAIN = "4111111111111111"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = logs.setup_logging(tmp_path / "data", "register")
    assert path == tmp_path / "data" / "logs" / "tastingroom.log"
    yield path
    logs.stop_logging()
    logs._hidden.clear()


def written(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_secrets_never_reach_the_file(log_file: Path):
    logs.hide(PASSWORD)
    log = logging.getLogger("tastingroom.test")
    log.warning("WineDirect refused the login with password %s", PASSWORD)
    log.warning("echoed request: <Password>%s</Password> and password=%s", PASSWORD, "other-one")
    log.warning("manager approval pin=%s failed; PIN %s is wrong", PIN, PIN)
    log.warning("typed into a note: %s, and %s", CARD, CARD_PLAIN)
    log.warning("swiped: %%B%s^DOE/JANE^2512101000000000000?", CARD_PLAIN)
    log.warning("hash scrypt$16384$8$1$c2FsdHNhbHQ=$ZGlnZXN0ZGlnZXN0")
    try:
        raise RuntimeError(f"card {CARD} for pin {PIN} with {PASSWORD}")
    except RuntimeError:
        log.exception("while paying")
    text = written(log_file)
    for secret in (PASSWORD, "other-one", CARD, CARD_PLAIN, "c2FsdHNhbHQ", "DOE/JANE"):
        assert secret not in text
    assert not re.search(rf"\b{PIN}\b", text)
    assert "Traceback (most recent call last)" in text and "RuntimeError: card ***" in text
    assert "while paying" in text and "WineDirect refused the login" in text


def test_a_secret_inside_a_chained_traceback_is_redacted(log_file: Path):
    logs.hide(PASSWORD)  # as the register does with the stored login (`hide_stored_login`)

    def sign_in(pin: str) -> None:
        raise PermissionError(f"wrong PIN {pin}")

    try:
        try:
            sign_in(PIN)
        except PermissionError as exc:
            raise ValueError(f"login {PASSWORD} refused") from exc
    except ValueError:
        logging.getLogger("tastingroom.test").exception("sign-in")
    text = written(log_file)
    assert "PermissionError: wrong PIN ***" in text
    assert PASSWORD not in text and not re.search(rf"\b{PIN}\b", text)


def test_ordinary_numbers_are_kept(log_file: Path):
    logging.getLogger("tastingroom.test").warning(
        "sale TR1-000042 of 12345 cents; backup tastingroom-2026-01-05_143000-daily.sqlite3"
    )
    text = written(log_file)
    assert "TR1-000042" in text and "12345" in text
    assert "tastingroom-2026-01-05_143000-daily.sqlite3" in text


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_log_is_private(log_file: Path):
    logging.getLogger("tastingroom.test").warning("hello")
    written(log_file)
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700


def test_the_log_rotates_within_its_bounds(tmp_path: Path):
    path = logs.setup_logging(tmp_path, "register", max_bytes=2_000, backup_count=3)
    try:
        for n in range(400):
            logging.getLogger("tastingroom.test").warning("line %d %s", n, "x" * 40)
    finally:
        logs.stop_logging()
    names = sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(".lock"))
    assert names == [
        "tastingroom.log",
        "tastingroom.log.1",
        "tastingroom.log.2",
        "tastingroom.log.3",
    ]
    assert all(p.stat().st_size <= 2_200 for p in path.parent.glob("tastingroom.log*"))


CHILD = """
import logging, sys
from pathlib import Path
from tastingroom import logs
logs.setup_logging(Path(sys.argv[1]), "commands", max_bytes=20_000, backup_count=200)
log = logging.getLogger("child")
for n in range(int(sys.argv[3])):
    log.warning("%s line %05d %s end", sys.argv[2], n, "y" * 60)
logs.stop_logging()
"""


def test_two_programs_logging_to_one_folder_lose_and_tear_nothing(tmp_path: Path):
    """Two processes of one kind share `commands.log` and rotate it many times over."""
    lines = 1500
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(tmp_path), name, str(lines)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0 and err == "", err
    pattern = re.compile(
        r".* WARNING \[\d+ MainThread\] child: (first|second) line (\d{5}) y{60} end"
    )
    seen: dict[str, set[int]] = {"first": set(), "second": set()}
    files = list((tmp_path / "logs").glob("commands.log*"))
    assert len(files) > 5  # it really rotated, many times
    for path in files:
        if path.name.endswith(".lock"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            match = pattern.fullmatch(line)
            assert match, f"a torn or mixed line in {path.name}: {line!r}"
            seen[match[1]].add(int(match[2]))
    assert seen == {"first": set(range(lines)), "second": set(range(lines))}


def test_a_command_logs_to_the_data_folder(demo_db: Database):
    data = demo_db.path.parent
    demo_db.close()
    assert main(["--data-dir", str(data), "backup"]) == 0
    text = (data / "logs" / "commands.log").read_text(encoding="utf-8")
    assert "Backed up the database to" in text
    assert logging.getLogger().handlers == [
        h
        for h in logging.getLogger().handlers
        if not isinstance(h, logs.PrivateRotatingFileHandler)
    ]  # closed when the command ended


def test_a_command_that_fails_unexpectedly_leaves_its_traceback_in_the_log(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
):
    from tastingroom import cli

    data = demo_db.path.parent
    demo_db.close()

    def broken(args: object) -> int:
        raise RuntimeError(f"unexpected, with card {CARD}")

    monkeypatch.setattr(cli, "cmd_status", broken)
    with pytest.raises(RuntimeError):
        main(["--data-dir", str(data), "status"])
    text = (data / "logs" / "commands.log").read_text(encoding="utf-8")
    assert "tastingroom status failed" in text and "RuntimeError: unexpected, with card ***" in text
    assert CARD not in text


def test_a_refused_command_makes_no_folder(tmp_path: Path):
    assert main(["--data-dir", str(tmp_path / "nothing-here"), "status"]) == 1
    assert not (tmp_path / "nothing-here").exists()


def test_the_stored_login_is_hidden_once_known(log_file: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TASTINGROOM_WINEDIRECT_USERNAME", "winery-webservice")
    monkeypatch.setenv("TASTINGROOM_WINEDIRECT_PASSWORD", PASSWORD)
    logs.hide_stored_login()  # the register does this as it starts
    logging.getLogger("tastingroom.test").warning("a server said: bad login %s", PASSWORD)
    text = written(log_file)
    assert PASSWORD not in text and "bad login ***" in text


def test_chatty_libraries_keep_only_their_warnings(log_file: Path):
    logging.getLogger("httpx").info('HTTP Request: POST http://127.0.0.1/V300 "200 OK"')
    logging.getLogger("httpx").warning("a retry")
    text = written(log_file)
    assert "HTTP Request" not in text and "a retry" in text
