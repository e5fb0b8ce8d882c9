"""Push: the outbox to WineDirect, in commit order, each item exactly once.

The one rule that makes "exactly once" hold through timeouts, lost replies and a killed
process: an item is marked in flight (and that is committed) *before* it is sent, and
marked sent only on WineDirect's own answer for that very item. An item still in flight
when we look again (after a lost reply, or a crash) has an unknown outcome, and is
settled by reading WineDirect back before anything is sent again.

Items travel in batches of one kind: register orders, refunds and voids in UpsertOrder
batches; customers in UpsertContact batches; pickup hand-overs one PostPickup each.
A rejected item goes to quarantine with WineDirect's message and never blocks the
items behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tastingroom.settings import StoreSettings
from tastingroom.store.database import Database
from tastingroom.store.models import Customer, Order, OutboxItem
from tastingroom.sync.clock import Clock
from tastingroom.sync.outbox import OutboxKind
from tastingroom.sync.payloads import VOID_SUFFIX, order_payload
from tastingroom.winedirect import records as r
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.errors import (
    AuthenticationFailed,
    ConfigurationError,
    ConnectionFailed,
    RateLimited,
    Rejected,
)

ORDER_KINDS = (OutboxKind.ORDER.value, OutboxKind.REFUND.value, OutboxKind.VOID.value)
GROUPS = {
    OutboxKind.ORDER.value: "orders",
    OutboxKind.REFUND.value: "orders",
    OutboxKind.VOID.value: "orders",
    OutboxKind.CONTACT.value: "contacts",
    OutboxKind.PICKUP.value: "pickups",
}
READ_BACK_OVERLAP = timedelta(minutes=15)
"""How far before an unknown send to look for it: clocks differ, DateModified is coarse."""


@dataclass(frozen=True)
class Item:
    seq: int
    kind: str
    entity_id: str
    in_flight_at: datetime | None

    @property
    def group(self) -> str:
        return GROUPS[self.kind]


@dataclass
class PushResult:
    sent: int = 0
    quarantined: int = 0
    settled: int = 0
    skipped: int = 0


class Pusher:
    def __init__(
        self,
        db: Database,
        client: WineDirectClient,
        settings: StoreSettings,
        clock: Clock,
        batch_size: int = 25,
    ) -> None:
        self.db = db
        self.client = client
        self.settings = settings
        self.clock = clock
        self.batch_size = batch_size

    # --- choosing work ------------------------------------------------------------------

    def next_batch(self) -> list[Item]:
        """The oldest pending items of one kind, in commit order."""
        with self.db.read() as s:
            rows = s.execute(
                select(
                    OutboxItem.seq, OutboxItem.kind, OutboxItem.entity_id, OutboxItem.in_flight_at
                )
                .where(OutboxItem.state == "pending")
                .order_by(OutboxItem.seq)
                .limit(self.batch_size)
            ).all()
        items = [Item(*row) for row in rows]
        if not items:
            return []
        group = items[0].group
        limit = 1 if group == "pickups" else self.batch_size
        batch = []
        for item in items:
            if item.group != group or len(batch) == limit:
                break
            batch.append(item)
        return batch

    def drain(self, should_stop=lambda: False) -> PushResult:
        """Push until the outbox is empty; errors other than rejections propagate."""
        result = PushResult()
        while not should_stop():
            batch = self.next_batch()
            if not batch:
                break
            self.push(batch, result)
        return result

    # --- one batch ----------------------------------------------------------------------

    def push(self, batch: list[Item], result: PushResult) -> None:
        unknown = [i for i in batch if i.in_flight_at is not None]
        if unknown:
            present = self.read_back(unknown)
            with self.db.write() as s:
                for item, key in present.items():
                    self._mark_sent(s, item, key)
                    result.settled += 1
            batch = [i for i in batch if i not in present]
        batch = self._skip_moot(batch, result)
        if not batch:
            return
        self._mark_in_flight(batch)
        try:
            if batch[0].group == "orders":
                self._send_orders(batch, result)
            elif batch[0].group == "contacts":
                self._send_contacts(batch, result)
            else:
                self._send_pickup(batch[0], result)
        except (ConnectionFailed, RateLimited, AuthenticationFailed, ConfigurationError):
            self._clear_in_flight(batch)  # WineDirect did not take them: plainly pending
            raise
        except Rejected as refusal:
            with self.db.write() as s:
                for item in batch:
                    self._quarantine(s, item, str(refusal))
                    result.quarantined += 1

    def _send_orders(self, batch: list[Item], result: PushResult) -> None:
        with self.db.read() as s:
            payloads = [self._order_payload(s, item) for item in batch]
        answers = self.client.upsert_orders(payloads)
        by_key = {a.external_key: a for a in answers if a.external_key}
        pairs = [
            (item, by_key.get(p.number) or (answers[i] if i < len(answers) else None))
            for i, (item, p) in enumerate(zip(batch, payloads, strict=True))
        ]
        self._apply_answers(pairs, result)

    def _send_contacts(self, batch: list[Item], result: PushResult) -> None:
        with self.db.read() as s:
            payloads = [self._contact_payload(s, item) for item in batch]
        answers = self.client.upsert_contacts(payloads)
        by_key = {a.external_key: a for a in answers if a.external_key}
        pairs = [
            (item, by_key.get(p.alt_contact_id) or (answers[i] if i < len(answers) else None))
            for i, (item, p) in enumerate(zip(batch, payloads, strict=True))
        ]
        self._apply_answers(pairs, result)

    def _send_pickup(self, item: Item, result: PushResult) -> None:
        with self.db.read() as s:
            order = s.get(Order, item.entity_id)
            pickup = r.PickupToSend(order.wd_order_number or order.number, order.picked_up_at)
        self.client.post_pickups([pickup])
        with self.db.write() as s:
            self._mark_sent(s, item, None)
        result.sent += 1

    def _apply_answers(
        self, pairs: list[tuple[Item, r.UpsertResult | None]], result: PushResult
    ) -> None:
        """Record WineDirect's answer for each item of a batch, in one transaction."""
        with self.db.write() as s:
            for item, answer in pairs:
                if answer is None:
                    continue  # no word on this one: it stays in flight, settled by reading back
                if answer.ok:
                    self._mark_sent(s, item, answer.internal_key)
                    result.sent += 1
                else:
                    reason = answer.message or "WineDirect refused it without a reason"
                    self._quarantine(s, item, reason)
                    result.quarantined += 1

    # --- payloads -----------------------------------------------------------------------

    def _order_payload(self, s: Session, item: Item) -> r.OrderToSend:
        order = s.get(Order, item.entity_id)
        void = item.kind == OutboxKind.VOID.value
        return order_payload(s, order, self.settings.website_code, void=void)

    @staticmethod
    def _contact_payload(s: Session, item: Item) -> r.ContactToSend:
        c = s.get(Customer, item.entity_id)
        return r.ContactToSend(
            alt_contact_id=c.id,
            first_name=c.first_name,
            last_name=c.last_name,
            contact_id=c.wd_contact_id,
            email=c.email,
            phone=c.phone,
            address=c.address,
            address2=c.address2,
            city=c.city,
            state=c.state,
            zip_code=c.zip_code,
            birth_date=c.birth_date,
            non_taxable=c.non_taxable,
        )

    def _skip_moot(self, batch: list[Item], result: PushResult) -> list[Item]:
        """A void whose order never reached WineDirect (it was quarantined or voided there
        first) has nothing to undo: it is closed without a send."""
        if all(item.kind != OutboxKind.VOID.value for item in batch):
            return batch
        keep = []
        with self.db.write() as s:
            for item in batch:
                if item.kind != OutboxKind.VOID.value:
                    keep.append(item)
                    continue
                original = s.scalar(
                    select(OutboxItem.state).where(
                        OutboxItem.entity_id == item.entity_id,
                        OutboxItem.kind == OutboxKind.ORDER.value,
                    )
                )
                if original in ("quarantined", "void"):
                    s.execute(
                        update(OutboxItem)
                        .where(OutboxItem.seq == item.seq)
                        .values(
                            state="void",
                            in_flight_at=None,
                            last_error="The order never reached WineDirect; nothing to void.",
                        )
                    )
                    result.skipped += 1
                else:
                    keep.append(item)
        return keep

    # --- reading back -------------------------------------------------------------------

    def read_back(self, items: list[Item]) -> dict[Item, str | None]:
        """Which of these in-flight items WineDirect already has (-> its id for them)."""
        group = items[0].group
        found: dict[Item, str | None] = {}
        if group == "orders":
            wanted = {}
            with self.db.read() as s:
                for item in items:
                    number = s.get(Order, item.entity_id).number
                    if item.kind == OutboxKind.VOID.value:
                        number += VOID_SUFFIX
                    wanted[number] = item
                known = set(
                    s.scalars(select(Order.wd_order_id).where(Order.wd_order_id.is_not(None)))
                )
            since = min(i.in_flight_at for i in items) - READ_BACK_OVERLAP
            for page in self.client.pages(
                self.client.search_orders, include_external=True, modified_from=since
            ):
                for summary in page.items:
                    if not summary.is_external or summary.order_id in known:
                        continue
                    detail = self.client.get_order(order_id=summary.order_id)
                    if detail and detail.alt_order_number in wanted:
                        found[wanted[detail.alt_order_number]] = detail.order_id
        elif group == "contacts":
            for item in items:
                try:
                    contact = self.client.get_contact(alt_contact_id=item.entity_id)
                except AuthenticationFailed:
                    raise
                except Rejected:
                    contact = None
                if contact is not None:
                    found[item] = contact.contact_id
        else:
            for item in items:
                with self.db.read() as s:
                    order = s.get(Order, item.entity_id)
                    number = int(order.wd_order_number) if order.wd_order_number else None
                if number is None:
                    continue
                detail = self.client.get_order(order_number=number)
                if detail is not None and detail.picked_up_at is not None:
                    found[item] = detail.order_id
        return found

    # --- recording ----------------------------------------------------------------------

    def _mark_in_flight(self, batch: list[Item]) -> None:
        with self.db.write() as s:
            s.execute(
                update(OutboxItem)
                .where(OutboxItem.seq.in_([i.seq for i in batch]))
                .values(in_flight_at=self.clock.now(), attempts=OutboxItem.attempts + 1)
            )

    def _clear_in_flight(self, batch: list[Item]) -> None:
        with self.db.write() as s:
            s.execute(
                update(OutboxItem)
                .where(OutboxItem.seq.in_([i.seq for i in batch]), OutboxItem.state == "pending")
                .values(in_flight_at=None)
            )

    def _mark_sent(self, s: Session, item: Item, wd_key: str | None) -> None:
        s.execute(
            update(OutboxItem)
            .where(OutboxItem.seq == item.seq)
            .values(state="sent", sent_at=self.clock.now(), in_flight_at=None, last_error=None)
        )
        if wd_key and item.kind in (OutboxKind.ORDER.value, OutboxKind.REFUND.value):
            s.execute(
                update(Order)
                .where(Order.id == item.entity_id, Order.wd_order_id.is_(None))
                .values(wd_order_id=wd_key)
            )
        elif wd_key and item.kind == OutboxKind.CONTACT.value:
            s.execute(
                update(Customer).where(Customer.id == item.entity_id).values(wd_contact_id=wd_key)
            )

    @staticmethod
    def _quarantine(s: Session, item: Item, message: str) -> None:
        s.execute(
            update(OutboxItem)
            .where(OutboxItem.seq == item.seq)
            .values(state="quarantined", in_flight_at=None, last_error=message)
        )
