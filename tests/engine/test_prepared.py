from __future__ import annotations

import pytest

from tastingroom.store.database import Database
from tastingroom.store.models import AuditEntry, Staff, new_id, utcnow
from tastingroom.store.prepared import Prepared


def test_rows_read_back_as_the_orm_wrote_them(db: Database):
    statement = Prepared(AuditEntry.__table__.insert(), db.engine.dialect)
    staff_id = new_id()
    at = utcnow()
    with db.write() as s:
        s.add(Staff(id=staff_id, name="Jo", role="cashier", pin_hash="x"))
    with db.write_core() as conn:
        statement.run(
            conn,
            [
                {
                    "id": "a1",
                    "at": at,
                    "action": "sale",
                    "requested_by": staff_id,
                    "detail": "Rosé ×2",
                }
            ],
        )
    with db.read() as s:
        row = s.get(AuditEntry, "a1")
    assert (row.at, row.detail, row.approved_by) == (at, "Rosé ×2", None)


def test_a_missing_required_value_is_refused_before_sql_runs(db: Database):
    statement = Prepared(AuditEntry.__table__.insert(), db.engine.dialect)
    with pytest.raises(KeyError, match="requested_by"), db.write_core() as conn:
        statement.run(conn, [{"id": "a2", "at": utcnow(), "action": "sale", "detail": ""}])
