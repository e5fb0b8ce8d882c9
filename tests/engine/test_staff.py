from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tastingroom.people.staff import (
    Action,
    AuthError,
    Role,
    add_staff,
    approve,
    hash_pin,
    sign_in,
    verify_pin,
)
from tastingroom.store.database import Database
from tastingroom.store.models import AuditEntry, Staff, utcnow


def test_pins_are_salted_slow_hashes():
    a, b = hash_pin("1234"), hash_pin("1234")
    assert a != b and "1234" not in a
    assert a.startswith("scrypt$16384$")
    assert verify_pin("1234", a) and not verify_pin("4321", a)


def test_only_the_hash_is_stored(db: Database):
    member = add_staff(db, "Jo", Role.CASHIER, "908172")
    with db.read() as s:
        row = s.get(Staff, member.id)
    assert "908172" not in row.pin_hash
    with pytest.raises(AuthError):
        add_staff(db, "Short", Role.CASHIER, "12")


def test_repeated_wrong_pins_lock_the_account(demo_db: Database, cashier):
    now = utcnow()
    for _ in range(4):
        with pytest.raises(AuthError, match="more wrong attempt"):
            sign_in(demo_db, cashier.id, "0000", now=now)
    with pytest.raises(AuthError, match="now locked"):
        sign_in(demo_db, cashier.id, "0000", now=now)
    with pytest.raises(AuthError, match="locked"):
        sign_in(demo_db, cashier.id, "1111", now=now + timedelta(minutes=1))
    assert sign_in(demo_db, cashier.id, "1111", now=now + timedelta(minutes=6)).id == cashier.id


def test_approvals_need_a_manager_and_leave_an_audit_row(demo_db: Database, cashier, manager):
    with pytest.raises(AuthError, match="cashier"):
        approve(demo_db, Action.NO_SALE, cashier.id, cashier.id, "1111")
    with pytest.raises(AuthError, match="Wrong PIN"):
        approve(demo_db, Action.NO_SALE, cashier.id, manager.id, "9999")
    approval = approve(
        demo_db, Action.NO_SALE, cashier.id, manager.id, "2222", detail="float check"
    )
    with demo_db.read() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "no_sale")).all()
    assert [(r.requested_by, r.approved_by, r.detail) for r in rows] == [
        (cashier.id, manager.id, "float check")
    ]
    assert approval.audit_id == rows[0].id
