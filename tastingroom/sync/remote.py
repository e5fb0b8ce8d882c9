"""The register orders WineDirect holds, and the number each register gave them.

SearchOrders cannot filter by the number a register sent (`AltOrderNumber` is only in
GetOrderDetail), so finding "is TR1-000042 in WineDirect?" means reading the details of
the register orders in a window. Each detail is read once and remembered in
`remote_order`: ours, and every other terminal's. Scans keep their page in `sync_state`,
so a 429, a crash or a restart resumes where it stopped instead of from page 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tastingroom.store.database import Database
from tastingroom.store.models import Order, RemoteOrder, SyncState
from tastingroom.winedirect import mapping as m
from tastingroom.winedirect import records as r
from tastingroom.winedirect.client import WineDirectClient


def remember(s: Session, wd_order_id: str, number: str | None, modified: datetime | None) -> None:
    """Note that WineDirect's order `wd_order_id` carries our (or a register's) `number`."""
    row = s.get(RemoteOrder, wd_order_id)
    if row is None:
        s.add(RemoteOrder(wd_order_id=wd_order_id, alt_order_number=number, date_modified=modified))
    else:
        row.alt_order_number = number or row.alt_order_number
        row.date_modified = modified or row.date_modified


def known_ids(s: Session, ids: Iterable[str]) -> set[str]:
    """Which of these WineDirect order ids need no detail read: orders we hold, and
    register orders already remembered."""
    ids = list(ids)
    held = set(s.scalars(select(Order.wd_order_id).where(Order.wd_order_id.in_(ids))))
    remote = set(s.scalars(select(RemoteOrder.wd_order_id).where(RemoteOrder.wd_order_id.in_(ids))))
    return held | remote


def numbers_held(s: Session, numbers: Iterable[str]) -> dict[str, str]:
    """Remembered WineDirect ids for these register numbers."""
    rows = s.execute(
        select(RemoteOrder.alt_order_number, RemoteOrder.wd_order_id).where(
            RemoteOrder.alt_order_number.in_(list(numbers))
        )
    )
    return {number: wd_id for number, wd_id in rows if number}


class Scan:
    """Reads register orders from WineDirect page by page, remembering each one's number.

    `key` names the scan's saved place (`scan:<key>` in sync_state); the place is kept
    only while `since` is the same, and is cleared when the scan completes.
    """

    def __init__(
        self,
        db: Database,
        client: WineDirectClient,
        key: str,
        since: datetime | None,
        max_rows: int | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.state_key = f"scan:{key}"[:40]
        self.since = since
        self.max_rows = max_rows
        self.details_read = 0

    def _start_page(self) -> int:
        with self.db.read() as s:
            row = s.get(SyncState, self.state_key)
        if row is None:
            return m.FIRST_PAGE
        try:
            saved = json.loads(row.value)
        except ValueError:
            return m.FIRST_PAGE
        if saved.get("since") != _iso(self.since):
            return m.FIRST_PAGE
        # One page back: orders changed meanwhile move to the end and shift the rest.
        return max(m.FIRST_PAGE, int(saved.get("page", m.FIRST_PAGE)) - 1)

    def _save(self, s: Session, next_page: int | None) -> None:
        if next_page is None:
            row = s.get(SyncState, self.state_key)
            if row is not None:
                s.delete(row)
            return
        s.merge(
            SyncState(
                key=self.state_key,
                value=json.dumps({"since": _iso(self.since), "page": next_page}),
            )
        )

    def run(
        self,
        done: Callable[[], bool] = lambda: False,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> bool:
        """Scan until the end, or until `done()` says what was wanted has been found.

        Returns True when the scan reached its end (or `done`), False when stopped.
        """
        page = self._start_page()
        while True:
            if should_stop():
                return False
            result = self.client.search_orders(
                modified_from=self.since,
                include_external=True,
                page=page,
                max_rows=self.max_rows,
            )
            self._remember_page(result.items)
            finished = not result.has_more or done()
            with self.db.write() as s:
                self._save(s, None if finished else page + 1)
            if finished:
                return True
            page += 1

    def _remember_page(self, summaries: list[r.OrderSummary]) -> None:
        external = [o for o in summaries if o.is_external]
        if not external:
            return
        with self.db.read() as s:
            known = known_ids(s, (o.order_id for o in external))
        found = []
        for summary in external:
            if summary.order_id in known:
                continue
            detail = self.client.get_order(order_id=summary.order_id)
            self.details_read += 1
            if detail is not None:
                found.append((summary.order_id, detail.alt_order_number, summary.date_modified))
        if found:
            with self.db.write() as s:
                for wd_id, number, modified in found:
                    remember(s, wd_id, number, modified)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
