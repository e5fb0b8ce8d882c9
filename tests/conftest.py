"""Shared fixtures: real SQLite files in temporary folders, the demo winery, staff."""

from __future__ import annotations

import os

# Before anything imports Qt: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from pathlib import Path

import pytest

from tastingroom.demo.winery import seed_demo
from tastingroom.people.staff import Role, StaffMember, list_staff
from tastingroom.selling.sales import Register
from tastingroom.store.database import Database


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded demo database, copied for each test that wants one (seeding hashes PINs)."""
    folder = tmp_path_factory.mktemp("demo-template")
    db = Database.open(folder / "seed.sqlite3")
    seed_demo(db)
    target = folder / "template.sqlite3"
    db.backup(target)
    db.close()
    return target


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """An empty, migrated database file."""
    database = Database.open(tmp_path / "tastingroom.sqlite3")
    yield database
    database.close()


@pytest.fixture
def demo_db(tmp_path: Path, demo_template: Path) -> Database:
    """A private copy of the demo winery's database."""
    path = tmp_path / "data" / "tastingroom.sqlite3"
    path.parent.mkdir()
    shutil.copy(demo_template, path)
    database = Database.open(path)
    yield database
    database.close()


@pytest.fixture
def register(demo_db: Database) -> Register:
    return Register(demo_db)


def _staff(db: Database, role: Role) -> StaffMember:
    return next(s for s in list_staff(db) if s.role is role)


@pytest.fixture
def cashier(demo_db: Database) -> StaffMember:
    return _staff(demo_db, Role.CASHIER)  # PIN 1111 in the demo


@pytest.fixture
def manager(demo_db: Database) -> StaffMember:
    return _staff(demo_db, Role.MANAGER)  # PIN 2222 in the demo
