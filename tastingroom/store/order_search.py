"""The orders screen's search index: every order's number, tracking number and customer
as trigrams (SQLite's FTS5), kept by triggers.

Staff search orders by any part of what they hold in hand: the digits on a receipt, a
surname, part of an email, a tracking number. A `LIKE '%…%'` over a year of sales reads
every order (150 to 450 ms a keystroke at 200,000 sales); a trigram index answers any
substring of three characters or more from the index alone, in milliseconds at any size.
Shorter searches are not run (`MIN_QUERY`): they match most of a year anyway.

The index is an FTS5 table whose rowid is the order's `sale_order` rowid, filled by the
migration that made it (0005) and kept by triggers on `sale_order` and `customer`, so
every writer (a sale, a pull, a restore) keeps it without knowing of it. Nothing here
vacuums the database; anything that ever does must call `rebuild` afterwards, since VACUUM
may renumber the rowids of a table without an INTEGER PRIMARY KEY.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

TABLE = "order_search"
TABLES = frozenset(
    {TABLE, *(f"{TABLE}_{part}" for part in ("data", "idx", "content", "docsize", "config"))}
)
"""The index and FTS5's shadow tables: not in the models (see the migrations test)."""
MIN_QUERY = 3
"""Trigrams need three characters."""
SEPARATOR = "char(31)"
"""Between the fields, so a search never matches across two of them (no search can hold
a control character: `entry.search_text`)."""


def _body(order: str, customer: str) -> str:
    """The indexed text of the order row `order` with its customer `customer` (SQL)."""
    return (
        f"{order}.number || {SEPARATOR} || coalesce({order}.tracking_number, '') || {SEPARATOR}"
        f" || coalesce({customer}.email, '') || {SEPARATOR}"
        f" || coalesce({customer}.first_name || ' ' || {customer}.last_name, '')"
    )


CREATE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(body, tokenize = 'trigram')",
    f"""CREATE TRIGGER {TABLE}_order_added AFTER INSERT ON sale_order BEGIN
        INSERT INTO {TABLE}(rowid, body)
        SELECT new.rowid, {_body("new", "c")}
        FROM (SELECT 1) LEFT JOIN customer AS c ON c.id = new.customer_id;
    END""",
    f"""CREATE TRIGGER {TABLE}_order_changed
    AFTER UPDATE OF number, tracking_number, customer_id ON sale_order BEGIN
        UPDATE {TABLE} SET body = (
            SELECT {_body("new", "c")}
            FROM (SELECT 1) LEFT JOIN customer AS c ON c.id = new.customer_id
        ) WHERE rowid = new.rowid;
    END""",
    f"""CREATE TRIGGER {TABLE}_order_removed AFTER DELETE ON sale_order BEGIN
        DELETE FROM {TABLE} WHERE rowid = old.rowid;
    END""",
    f"""CREATE TRIGGER {TABLE}_customer_changed
    AFTER UPDATE OF first_name, last_name, email ON customer BEGIN
        UPDATE {TABLE} SET body = (
            SELECT {_body("o", "new")} FROM sale_order AS o WHERE o.rowid = {TABLE}.rowid
        ) WHERE rowid IN (SELECT rowid FROM sale_order WHERE customer_id = new.id);
    END""",
)
DROP = (
    f"DROP TRIGGER IF EXISTS {TABLE}_customer_changed",
    f"DROP TRIGGER IF EXISTS {TABLE}_order_removed",
    f"DROP TRIGGER IF EXISTS {TABLE}_order_changed",
    f"DROP TRIGGER IF EXISTS {TABLE}_order_added",
    f"DROP TABLE IF EXISTS {TABLE}",
)


def rebuild(conn: Connection) -> None:
    """Index every order again from scratch (the migration's fill, and after a VACUUM)."""
    conn.execute(text(f"DELETE FROM {TABLE}"))
    conn.execute(
        text(
            f"INSERT INTO {TABLE}(rowid, body) SELECT o.rowid, {_body('o', 'c')} "
            "FROM sale_order AS o LEFT JOIN customer AS c ON c.id = o.customer_id"
        )
    )


def phrase(query: str) -> str | None:
    """`query` (from `entry.search_text`) as an FTS5 phrase that matches it anywhere in a
    field, ignoring case; None when it is too short to look for."""
    if len(query) < MIN_QUERY:
        return None
    return '"' + query.replace('"', '""') + '"'


MATCHING_ROWIDS = text(
    f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH :phrase ORDER BY rowid DESC LIMIT :limit"
)
"""The most recently recorded matches first (rowids grow as orders are recorded)."""
