"""Statements compiled once and run on the driver's own cursor, for the sale commit.

Through SQLAlchemy's execution machinery each statement of a sale costs several times
what SQLite itself takes (`tastingroom bench` measures it against bare sqlite3). Here a
Core statement is compiled once for the engine's dialect, each bind's own type
processor is applied (so timestamps are stored exactly as the models store them), and
the SQL runs on the DBAPI cursor of the transaction SQLAlchemy opened: same lock, same
BEGIN IMMEDIATE, same commit, a fraction of the overhead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import UpdateBase


class Prepared:
    """One DML statement for one dialect: `run(conn, rows)` executes it once per row."""

    def __init__(self, statement: UpdateBase, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.positional = dialect.positional
        self.names: Sequence[str] = (
            list(compiled.positiontup or []) if self.positional else list(compiled.binds)
        )
        self.keys = {name: compiled.binds[name].key for name in self.names}
        # Binds the statement itself fills (the 1 of `last_value + 1`) keep their value.
        self.fixed = {
            name: compiled.binds[name].value
            for name in self.names
            if compiled.binds[name].value is not None
        }
        self.processors: dict[str, Callable[[Any], Any] | None] = {
            name: compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in self.names
        }
        self.returning = " RETURNING " in self.sql.upper()
        table = getattr(statement, "table", None)
        self.required = (
            {
                c.key
                for c in table.columns
                if not c.nullable
                and c.key in self.keys.values()
                and not (c.primary_key and c.autoincrement is True)
            }
            if isinstance(table, Table)
            else set()
        )

    def _params(self, row: dict[str, Any]) -> tuple | dict:
        missing = self.required - {k for k, v in row.items() if v is not None}
        if missing:
            raise KeyError(f"{self.sql.split('(')[0].strip()}: no value for {sorted(missing)}")
        values = []
        for name in self.names:
            key = self.keys[name]
            value = row[key] if key in row else self.fixed.get(name)
            processor = self.processors[name]
            values.append(processor(value) if processor and value is not None else value)
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))

    def run(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> list[tuple]:
        """Execute once per row; returns the rows a RETURNING statement gives back."""
        params = [self._params(row) for row in rows]
        cursor = conn.connection.driver_connection.cursor()
        try:
            if not self.returning:
                cursor.executemany(self.sql, params)
                return []
            out: list[tuple] = []
            for p in params:
                cursor.execute(self.sql, p)
                out.extend(cursor.fetchall())
            return out
        finally:
            cursor.close()
