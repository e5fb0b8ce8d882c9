"""Setting a store up (`store_setup`): the command line and the first-run assistant make
the same store through the same calls; a set-up killed at any point leaves no store
that starts as if complete; what a start opens; the checks each step runs."""

from __future__ import annotations

import dataclasses
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tastingroom import cli, store_setup
from tastingroom.demo.winery import seed_demo
from tastingroom.entry import EntryRefused
from tastingroom.paths import database_path
from tastingroom.people.staff import Role, list_staff, sign_in
from tastingroom.selling.numbering import SIDECAR_NAME
from tastingroom.settings import SettingsError
from tastingroom.store.database import Database
from tastingroom.store.errors import StoreError
from tastingroom.store.models import Setting
from tastingroom.store_setup import (
    SETUP_FILENAME,
    PinsDiffer,
    StoreSetup,
    check_new_pin,
    check_prefix,
    check_tax_rate,
    check_timezone,
    plan_start,
    set_up_store,
    training_folder,
)
from tastingroom.winedirect.credentials import Credentials

CHILD = Path(__file__).with_name("setup_child.py")
URL = "https://webservices.vin65.com"
SETUP = StoreSetup(
    store_name="Cedar Ridge",
    timezone="America/Los_Angeles",
    owner_name="Dana Cruz",
    owner_pin="4821",
    winedirect_url=URL,
    credentials=Credentials("cedar-pos", "s3cret"),
    website_code="CEDAR",
    pickup_location="CEDARROOM",
    inventory_pool="Tasting Room",
    terminal_prefix="TK7M3",
    tax_rate_ppm=86_250,
)


def settings_rows(path: Path) -> dict[str, str]:
    db = Database.open(path)
    try:
        with db.read() as s:
            return {row.key: row.value for row in s.scalars(select(Setting))}
    finally:
        db.close()


def no_login(credentials: Credentials) -> None:
    """The keyring is left alone in these tests."""


# --- the command line and the assistant --------------------------------------------------------


def test_the_command_line_and_the_assistant_make_the_same_store(tmp_path: Path, monkeypatch):
    calls: list[tuple[str, Path | str]] = []
    real_init, real_add = store_setup.init_store, store_setup.add_person

    def init_store(path, **kwargs):
        calls.append(("init", Path(path).parent.name))
        return real_init(path, **kwargs)

    def add_person(db, name, role, pin, again):
        calls.append(("staff add", db.path.parent.name))
        return real_add(db, name, role, pin, again)

    monkeypatch.setattr(store_setup, "init_store", init_store)
    monkeypatch.setattr(store_setup, "add_person", add_person)
    by_hand, by_assistant = tmp_path / "cli", tmp_path / "assistant"
    argv = ["--data-dir", str(by_hand), "init", "--winedirect-url", URL]
    argv += ["--terminal-prefix", "TK7M3", "--website-code", "CEDAR"]
    argv += ["--pickup-location", "CEDARROOM", "--inventory-pool", "Tasting Room"]
    assert cli.main(argv) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("4821\n"))
    staff = ["--data-dir", str(by_hand), "staff", "add", "Dana Cruz", "--role", "owner"]
    assert cli.main([*staff, "--pin-stdin"]) == 0
    set_up_store(by_assistant, SETUP, save_login=no_login)

    assert calls == [
        ("init", "cli"),
        ("staff add", "cli"),
        ("init", "assistant"),
        ("staff add", "assistant"),
    ]
    typed = settings_rows(database_path(by_hand))
    made = settings_rows(database_path(by_assistant))
    assert {key: made[key] for key in typed} == typed  # what init set, set the same
    assert set(made) - set(typed) == {  # and what the Settings screen sets besides
        "store_name",
        "timezone",
        "tax_rate_ppm",
        "printer_kind",
        "printer_address",
        "receipt_columns",
    }
    for folder in (by_hand, by_assistant):
        db = Database.open(database_path(folder))
        try:
            (owner,) = list_staff(db)
            assert (owner.name, owner.role) == ("Dana Cruz", Role.OWNER)
            assert sign_in(db, owner.id, "4821") == owner
        finally:
            db.close()


def test_init_says_what_it_always_said(tmp_path: Path, capsys):
    folder = tmp_path / "store"
    assert cli.main(["--data-dir", str(folder), "init", "--terminal-prefix", "BAR1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"Database ready at {database_path(folder)}.",
        'Next: tastingroom staff add "Your Name" --role owner',
        "Demo mode: False",
        "Terminal prefix: BAR1",
    ]
    assert cli.main(["--data-dir", str(folder), "init"]) == 0
    assert capsys.readouterr().out.splitlines()[2:] == [
        "Terminal prefix: BAR1 (kept)",
        "Demo mode: False",
    ]


def test_staff_add_refuses_two_different_pins(tmp_path: Path, monkeypatch, capsys):
    folder = tmp_path / "store"
    assert cli.main(["--data-dir", str(folder), "init"]) == 0
    answers = iter(["4821", "4822"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert cli.main(["--data-dir", str(folder), "staff", "add", "Dana Cruz"]) == 1
    assert capsys.readouterr().err == "tastingroom: the two PINs differ; nobody was added.\n"
    with pytest.raises(PinsDiffer):
        check_new_pin("4821", "4822")


# --- killed in the middle ------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
@pytest.mark.parametrize("point", ["init", "owner", "login"])
def test_a_set_up_killed_in_the_middle_leaves_no_store(tmp_path: Path, point: str):
    folder = tmp_path / "Tastingroom"
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(folder), point],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == point
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert not database_path(folder).exists()
    assert (folder / SETUP_FILENAME).exists()  # the unfinished one, which nothing opens
    plan = plan_start(database_path(folder))
    assert plan.database is None and plan.unfinished  # the doors again, saying so

    set_up_store(folder, SETUP, save_login=no_login)  # starting again works, cleanly
    assert not (folder / SETUP_FILENAME).exists()
    assert not any(p.name.startswith(SETUP_FILENAME) for p in folder.iterdir())
    plan = plan_start(database_path(folder))
    assert plan.database == database_path(folder) and not plan.unfinished
    db = Database.open(database_path(folder))
    try:
        assert [m.name for m in list_staff(db)] == ["Dana Cruz"]
        assert db.opened is not None and not db.opened.unclean
    finally:
        db.close()


def test_a_refused_set_up_leaves_nothing(tmp_path: Path):
    folder = tmp_path / "Tastingroom"
    bad = dataclasses.replace(SETUP, owner_name="")
    with pytest.raises(PermissionError):
        set_up_store(folder, bad, save_login=no_login)
    assert not database_path(folder).exists() and not (folder / SETUP_FILENAME).exists()


def test_a_store_is_never_set_up_over_another(tmp_path: Path):
    folder = tmp_path / "Tastingroom"
    set_up_store(folder, SETUP, save_login=no_login)
    before = database_path(folder).read_bytes()
    with pytest.raises(StoreError, match="already holds a store"):
        set_up_store(folder, dataclasses.replace(SETUP, owner_name="Someone Else"))
    assert database_path(folder).read_bytes() == before


# --- what a start opens ------------------------------------------------------------------------


def test_what_a_start_opens(tmp_path: Path, demo_template: Path):
    folder = tmp_path / "Tastingroom"
    store = database_path(folder)
    assert plan_start(store).database is None  # nothing: the doors
    folder.mkdir()
    store.write_bytes(b"")
    assert plan_start(store).database is None  # an empty file is nothing either
    Database.open(store).close()
    assert plan_start(store).database is None  # nor is a database with nothing in it

    training = database_path(training_folder(folder))
    training.parent.mkdir()
    training.write_bytes(demo_template.read_bytes())
    plan = plan_start(store)
    assert plan.database == training and plan.offer_setup and plan.store is None

    set_up_store(folder, SETUP, save_login=no_login)
    plan = plan_start(store)
    assert plan.database == store and plan.training == training and not plan.demo_if_empty
    assert store_setup.training_plan(store).store == store  # its way back


def test_a_demo_made_by_init_demo_opens_as_it_always_did(tmp_path: Path):
    folder = tmp_path / "demo-here"
    db = Database.open(database_path(folder))
    seed_demo(db)
    db.close()
    plan = plan_start(database_path(folder))
    assert plan.database == database_path(folder) and plan.training is None


def test_a_data_folder_that_is_a_file_is_left_to_the_register_to_explain(tmp_path: Path):
    not_a_folder = tmp_path / "Tastingroom"
    not_a_folder.write_text("notes")
    assert plan_start(database_path(not_a_folder)).database == database_path(not_a_folder)


def test_a_damaged_database_is_opened_to_be_explained(tmp_path: Path):
    junk = tmp_path / "tastingroom.sqlite3"
    junk.write_bytes(b"this is not a database" * 1000)
    assert plan_start(junk).database == junk


# --- each step's check -----------------------------------------------------------------------


def test_prefixes(tmp_path: Path):
    assert check_prefix(" tk7m3 ", tmp_path) == "TK7M3"
    with pytest.raises(StoreError, match="demo's prefix"):
        check_prefix("tr1", tmp_path)
    with pytest.raises(SettingsError, match="letters and digits"):
        check_prefix("TK-7", tmp_path)
    with pytest.raises(StoreError, match="at most 16"):
        check_prefix("T" * 17, tmp_path)
    (tmp_path / SIDECAR_NAME).write_text('{"database_id": "old", "high": {"BAR1": 12}}')
    with pytest.raises(StoreError, match="already made by a database in this folder"):
        check_prefix("bar1", tmp_path)


def test_tax_rates_and_time_zones():
    assert check_tax_rate("8.625") == 86_250 and check_tax_rate("7.25%") == 72_500
    assert check_tax_rate("") == 0
    with pytest.raises(EntryRefused, match=r"8\.625, not 86\.25"):
        check_tax_rate("86.25")
    with pytest.raises(EntryRefused, match="not a percentage"):
        check_tax_rate("eight")
    assert check_timezone(" Pacific/Auckland ") == "Pacific/Auckland"
    with pytest.raises(StoreError, match="not a time zone"):
        check_timezone("Napa/Valley")
