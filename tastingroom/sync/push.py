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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tastingroom.foreground import FOREGROUND
from tastingroom.localtime import stamp
from tastingroom.settings import StoreSettings
from tastingroom.store.database import Database
from tastingroom.store.models import AuditEntry, Customer, Order, OutboxItem, Staff, SyncState
from tastingroom.sync import problems
from tastingroom.sync.clock import ServerTime
from tastingroom.sync.outbox import OutboxKind
from tastingroom.sync.payloads import VOID_SUFFIX, order_payload
from tastingroom.sync.remote import Scan, numbers_held, remember
from tastingroom.winedirect import records as r
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.errors import (
    AuthenticationFailed,
    ConfigurationError,
    ConnectionFailed,
    Fault,
    RateLimited,
    Rejected,
    WineDirectError,
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
"""How far before an unknown send to look for it: DateModified is coarse, and the
server's clock is only known to the second from its `Date` header."""
PREFIX_VERIFIED = "prefix_verified"
"""sync_state key: the number prefix WineDirect was checked for (see `verify_prefix`)."""
CONFLICT = "conflict"
"""Outbox state of a hand-over WineDirect already had from elsewhere: never "sent"."""


class PushBlocked(Exception):
    """Orders cannot go up now for a reason a person must fix (the message says it)."""


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
    conflicts: int = 0
    blocked: str | None = None


class Pusher:
    def __init__(
        self,
        db: Database,
        client: WineDirectClient,
        settings: StoreSettings,
        server_time: ServerTime,
        batch_size: int = 25,
        claimant: str = "engine",
        max_rows: int | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.settings = settings
        self.server_time = server_time
        self.batch_size = batch_size
        self.claimant = claimant
        self.max_rows = max_rows
        self._narrow: int | None = None
        """After a Fault on a batch, the next batches are halved until the bad row is
        alone (and quarantined); a success lets them grow back."""
        self._orders_blocked = False

    # --- choosing work ------------------------------------------------------------------

    def next_batch(self) -> list[Item]:
        """The oldest pending items of one kind, in commit order (orders skipped while
        they are blocked, so customers and hand-overs still go up)."""
        query = (
            select(OutboxItem.seq, OutboxItem.kind, OutboxItem.entity_id, OutboxItem.in_flight_at)
            .where(
                OutboxItem.state == "pending",
                (OutboxItem.claimed_by.is_(None)) | (OutboxItem.claimed_by == self.claimant),
            )
            .order_by(OutboxItem.seq)
            .limit(self.batch_size)
        )
        if self._orders_blocked:
            query = query.where(OutboxItem.kind.not_in(ORDER_KINDS))
        with self.db.read() as s:
            rows = s.execute(query).all()
        items = [Item(*row) for row in rows]
        if not items:
            return []
        group = items[0].group
        limit = 1 if group == "pickups" else min(self.batch_size, self._narrow or self.batch_size)
        batch = []
        for item in items:
            if item.group != group or len(batch) == limit:
                break
            batch.append(item)
        return batch

    def drain(self, should_stop: Callable[[], bool] = lambda: False) -> PushResult:
        """Push until the outbox is empty; errors other than rejections propagate."""
        result = PushResult()
        while not should_stop():
            FOREGROUND.step_aside()  # between batches: no transaction is open here
            batch = self.next_batch()
            if not batch:
                break
            if batch[0].group == "orders" and not self.verify_prefix(should_stop):
                self._orders_blocked = True
                result.blocked = self._blocked_reason()
                continue
            self.push(batch, result)
        return result

    # --- the number prefix ----------------------------------------------------------------

    def verify_prefix(self, should_stop: Callable[[], bool] = lambda: False) -> bool:
        """Before the first order numbered with this terminal's prefix goes up, make sure
        WineDirect holds no order with that prefix that this database does not have.

        Two registers sharing a prefix would overwrite each other's orders (WineDirect
        updates an order sent again with the same number). The check reads every register
        order in WineDirect once (remembered, resumable); it is done again only when the
        prefix changes (a new number series after a restore, say).
        """
        prefix = self.settings.terminal_prefix
        with self.db.read() as s:
            verified = s.get(SyncState, PREFIX_VERIFIED)
        if verified is not None and verified.value == prefix:
            return True
        scan = Scan(self.db, self.client, f"prefix:{prefix}", None, self.max_rows)
        if not scan.run(should_stop=should_stop):
            return False
        strangers = self._numbers_not_ours(prefix)
        with self.db.write() as s:
            if strangers:
                shown = ", ".join(strangers[:3]) + (", …" if len(strangers) > 3 else "")
                problems.report(
                    s,
                    problems.NUMBERING,
                    prefix,
                    f"Order numbers {prefix}-… are already used in WineDirect",
                    f"WineDirect already holds {len(strangers)} order(s) numbered {prefix}-… "
                    f"that this register does not have ({shown}): another register, or an "
                    "older copy of this one, uses the same prefix. Nothing is sent from this "
                    "register until it has numbers of its own: a manager closes the register, "
                    "runs 'tastingroom numbering new-series --renumber-unsent', and opens it "
                    "again.",
                )
                return False
            # This prefix is clear, and an older one it replaced no longer numbers sales.
            for problem in problems.open_problems(s):
                if problem.kind == problems.NUMBERING:
                    problems.resolve(s, problems.NUMBERING, problem.key)
            s.merge(SyncState(key=PREFIX_VERIFIED, value=prefix))
        return True

    def _numbers_not_ours(self, prefix: str) -> list[str]:
        """Numbers with this prefix that WineDirect holds for orders that are not ours.

        Ours means: the order with that number here went up from here (WineDirect's id
        came back for it, or it was at least sent, its answer lost). An order here that
        was never sent cannot be the one WineDirect holds under its number: that one
        came from another register, and sending ours would overwrite it."""
        from tastingroom.store.models import RemoteOrder

        head = prefix + "-"
        with self.db.read() as s:
            remote = s.execute(
                select(RemoteOrder.alt_order_number, RemoteOrder.wd_order_id)
                .where(func.substr(RemoteOrder.alt_order_number, 1, len(head)) == head)
                .order_by(RemoteOrder.alt_order_number)
            ).all()
            bases = {n.removesuffix(VOID_SUFFIX) for n, _ in remote}
            local = {
                number: (order_id, wd_id)
                for number, order_id, wd_id in s.execute(
                    select(Order.number, Order.id, Order.wd_order_id).where(Order.number.in_(bases))
                )
            }
            went_up = set(
                s.scalars(
                    select(OutboxItem.entity_id).where(
                        OutboxItem.entity_id.in_([o for o, _ in local.values()]),
                        OutboxItem.kind.in_(ORDER_KINDS),
                        OutboxItem.attempts > 0,
                    )
                )
            )
        strangers = []
        for number, wd_id in remote:
            mine = local.get(number.removesuffix(VOID_SUFFIX))
            if mine is None or (mine[1] != wd_id and mine[0] not in went_up):
                strangers.append(number)
        return strangers

    def _blocked_reason(self) -> str:
        with self.db.read() as s:
            found = [p.detail for p in problems.open_problems(s) if p.kind == problems.NUMBERING]
        return found[0] if found else "Checking WineDirect for this register's order numbers."

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
        batch = self._claim(batch)
        if not batch:
            return
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
        except Fault as fault:
            self._narrow_down(batch, fault, result)
            return
        self._narrow = None if self._narrow is None else min(self.batch_size, self._narrow * 2)

    def _narrow_down(self, batch: list[Item], fault: Fault, result: PushResult) -> None:
        """A Fault on a batch: one of its rows is likely poison. The rows stay in flight
        (WineDirect may have applied some before failing: they are read back first), and
        the next batches are halved until the bad row travels alone. Alone, it is
        quarantined with WineDirect's message, but only if WineDirect is otherwise well
        (a read works): a WineDirect that faults on everything must not quarantine the
        whole outbox."""
        if len(batch) > 1:
            self._narrow = max(1, len(batch) // 2)
            return
        try:
            self.client.search_clubs(max_rows=1)
        except WineDirectError:
            raise fault from None
        with self.db.write() as s:
            self._quarantine(s, batch[0], str(fault))
        result.quarantined += 1

    def _send_orders(self, batch: list[Item], result: PushResult) -> None:
        payloads, sendable = [], []
        with self.db.read() as s:
            for item in batch:
                payload = self._order_payload(s, item)
                problem = payload and self.client.unsendable(payload)
                if payload is None or problem:
                    self._refuse_locally(item, problem or "the order is missing", result)
                    continue
                payloads.append(payload)
                sendable.append(item)
        if not payloads:
            return
        answers = self.client.upsert_orders(payloads)
        by_key = {a.external_key: a for a in answers if a.external_key}
        pairs = [
            (item, p, by_key.get(p.number) or (answers[i] if i < len(answers) else None))
            for i, (item, p) in enumerate(zip(sendable, payloads, strict=True))
        ]
        self._apply_answers([(item, a) for item, _, a in pairs], result)
        with self.db.write() as s:
            for _, payload, answer in pairs:
                if answer is not None and answer.ok and answer.internal_key:
                    remember(s, answer.internal_key, payload.number, None)

    def _refuse_locally(self, item: Item, why: str, result: PushResult) -> None:
        with self.db.write() as s:
            self._quarantine(s, item, f"This order cannot be sent as it is stored: {why}.")
        result.quarantined += 1

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
        """Tell WineDirect a pickup was handed over here, unless it already was.

        WineDirect accepts a second PostPickup for an order already picked up without a
        word, so the order is read first: picked up elsewhere (another register, or on
        the web) means goods left twice, which a manager must hear about; it is never
        reported as sent.
        """
        with self.db.read() as s:
            order = s.get(Order, item.entity_id)
            number = order.wd_order_number or order.number
            pickup = r.PickupToSend(number, order.picked_up_at)
        detail = self.client.get_order(order_number=_as_int(number)) if _as_int(number) else None
        if detail is not None and detail.picked_up_at is not None:
            # Never posted from here (a post would have left the item in flight and been
            # read back instead): someone else handed it over.
            self._record_conflict(item, detail)
            result.conflicts += 1
            return
        self.client.post_pickups([pickup])
        with self.db.write() as s:
            self._mark_sent(s, item, None)
        result.sent += 1

    def _record_conflict(self, item: Item, detail: r.OrderDetail) -> None:
        with self.db.write() as s:
            order = s.get(Order, item.entity_id)
            who = s.scalar(
                select(Staff.name)
                .join(AuditEntry, AuditEntry.requested_by == Staff.id)
                .where(AuditEntry.order_id == order.id, AuditEntry.action == "pickup")
                .order_by(AuditEntry.at.desc())
                .limit(1)
            )
            here = f"{self.settings.store_name}, register {self.settings.terminal_prefix}"
            zone = self.settings.timezone  # staff read it: the store's own time
            ours = stamp(order.picked_up_at, zone)
            theirs = stamp(detail.picked_up_at, zone)
            message = (
                f"Web order {order.number} was handed over twice. Here: by {who or 'staff'} "
                f"at {here}, {ours}. In WineDirect it was already picked "
                f"up at {theirs} (another register, or marked on the web). "
                "Check whether the guest took the goods twice."
            )
            problems.report(s, problems.PICKUP_TWICE, order.id, f"Pickup {order.number}", message)
            s.execute(
                update(OutboxItem)
                .where(OutboxItem.seq == item.seq)
                .values(state=CONFLICT, in_flight_at=None, last_error=message)
            )

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

    def _order_payload(self, s: Session, item: Item) -> r.OrderToSend | None:
        order = s.get(Order, item.entity_id)
        if order is None:
            return None
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
        if group == "orders":
            return self._read_back_orders(items)
        found: dict[Item, str | None] = {}
        if group == "contacts":
            for item in items:
                try:
                    contact = self.client.get_contact(alt_contact_id=item.entity_id)
                except AuthenticationFailed:
                    raise
                except Rejected:
                    contact = None
                if contact is not None:
                    found[item] = contact.contact_id
            return found
        for item in items:  # hand-overs
            with self.db.read() as s:
                order = s.get(Order, item.entity_id)
                number = _as_int(order.wd_order_number)
                ours = order.picked_up_at
            detail = self.client.get_order(order_number=number) if number else None
            if detail is None or detail.picked_up_at is None:
                continue  # not taken: send it again
            if _same_moment(detail.picked_up_at, ours):
                found[item] = detail.order_id
            else:  # picked up, but not at the moment we sent: someone else did first
                self._record_conflict(item, detail)
        return found

    def _read_back_orders(self, items: list[Item]) -> dict[Item, str | None]:
        """Look for our numbers among the register orders WineDirect changed since a
        little before the first of these was sent (WineDirect's time, so a wrong local
        clock cannot move the window). Details already read are remembered, and the
        scan keeps its page between attempts: the work is bounded by the orders changed
        in that window, and a 429 or a restart resumes it."""
        wanted: dict[str, Item] = {}
        with self.db.read() as s:
            for item in items:
                number = s.get(Order, item.entity_id).number
                if item.kind == OutboxKind.VOID.value:
                    number += VOID_SUFFIX
                wanted[number] = item

        def all_found() -> bool:
            with self.db.read() as s:
                return len(numbers_held(s, wanted)) == len(wanted)

        if not all_found():
            since = min(i.in_flight_at for i in items) - READ_BACK_OVERLAP
            scan = Scan(self.db, self.client, "read-back", since, self.max_rows)
            if not scan.run(done=all_found):
                raise ConnectionFailed("Stopped while reading WineDirect back.")
        with self.db.read() as s:
            held = numbers_held(s, wanted)
        return {wanted[number]: wd_id for number, wd_id in held.items()}

    # --- recording ----------------------------------------------------------------------

    def _claim(self, batch: list[Item]) -> list[Item]:
        """Mark the batch in flight and claimed by this engine, in one UPDATE that only
        takes rows still pending and unclaimed (or already ours): even if two senders
        ever ran at once, no row could go to both.

        The in-flight stamp is WineDirect's time, which the first reply tells: an engine
        that has not heard from WineDirect yet asks once (one cheap read), so that a
        register whose clock is a day out still reads back in the right window."""
        if not self.server_time.known:
            self.client.search_clubs(max_rows=1)
        with self.db.write() as s:
            claimed = set(
                s.scalars(
                    update(OutboxItem)
                    .where(
                        OutboxItem.seq.in_([i.seq for i in batch]),
                        OutboxItem.state == "pending",
                        (OutboxItem.claimed_by.is_(None))
                        | (OutboxItem.claimed_by == self.claimant),
                    )
                    .values(
                        in_flight_at=self.server_time.now(),
                        attempts=OutboxItem.attempts + 1,
                        claimed_by=self.claimant,
                    )
                    .returning(OutboxItem.seq)
                )
            )
        return [i for i in batch if i.seq in claimed]

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
            .values(
                state="sent",
                sent_at=self.server_time.clock.now(),
                in_flight_at=None,
                last_error=None,
            )
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
            .values(state="quarantined", in_flight_at=None, last_error=message[:2000])
        )


def release_claims(db: Database, keep: str | None = None) -> None:
    """Free rows claimed by engines that are gone (called by the engine that now holds
    the sync lock, so nobody else can be sending them)."""
    with db.write() as s:
        query = update(OutboxItem).where(OutboxItem.claimed_by.is_not(None))
        if keep is not None:
            query = query.where(OutboxItem.claimed_by != keep)
        s.execute(query.values(claimed_by=None))


def _as_int(number: str | None) -> int | None:
    try:
        return int(number) if number else None
    except ValueError:
        return None


def _same_moment(a: datetime | None, b: datetime | None) -> bool:
    """WineDirect keeps the PickupDate we sent, to the second."""
    return a is not None and b is not None and abs((a - b).total_seconds()) < 2
