"""Pulls: what changed in WineDirect comes back into the cache.

Each pull keeps its own high-water mark (the newest DateModified it has seen) and asks
again from a little before it, because DateModified is coarse and clocks differ; rows
seen twice are merged by WineDirect's id. Pages are read until RecordCount is covered;
the mark moves only after every page is stored, so a crash half-way repeats the pull
rather than skipping what it had not reached.

A pull never overwrites a local change that WineDirect has not been told about yet
(a customer edited here, a pickup handed over here). Our own register orders come back
as external orders: they only gain WineDirect's ids and statuses, and are never
imported as web orders.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tastingroom.foreground import FOREGROUND
from tastingroom.kinds import Kind
from tastingroom.settings import StoreSettings
from tastingroom.store.database import Database
from tastingroom.store.models import (
    Club,
    ClubMembership,
    Customer,
    Order,
    OrderLine,
    OutboxItem,
    Price,
    Product,
    ShippingAddress,
    Sku,
    Stock,
    SyncMark,
    SyncProblem,
    SyncState,
    new_id,
)
from tastingroom.sync import problems
from tastingroom.sync.clock import ServerTime
from tastingroom.sync.outbox import OutboxKind
from tastingroom.sync.remote import known_ids, remember
from tastingroom.winedirect import mapping as m
from tastingroom.winedirect import records as r
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.errors import ReplyError, WineDirectError

log = logging.getLogger(__name__)
T = TypeVar("T")
STORE_ERRORS = (SQLAlchemyError, ValueError, TypeError, ArithmeticError, KeyError, AttributeError)
"""What storing one odd record can raise; it is set aside, and the rest of the pull goes on."""
OVERLAP = timedelta(minutes=10)
PULLS = ("catalog", "stock", "contacts", "addresses", "clubs", "memberships", "orders")


def _pending(s: Session, kind: OutboxKind, entity_id: str) -> bool:
    """Is a local change to this record still waiting to reach WineDirect?"""
    return bool(
        s.scalar(
            select(OutboxItem.seq).where(
                OutboxItem.entity_id == entity_id,
                OutboxItem.kind == kind.value,
                OutboxItem.state == "pending",
            )
        )
    )


class Puller:
    def __init__(
        self,
        db: Database,
        client: WineDirectClient,
        settings: StoreSettings,
        server_time: ServerTime,
        overlap: timedelta = OVERLAP,
        max_rows: int | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.settings = settings
        self.server_time = server_time
        self.clock = server_time.clock
        self.overlap = overlap
        self.max_rows = max_rows
        self.catalog_changed = False
        self.failures: dict[str, str] = {}
        """Pulls that failed this time for a reason other than the network, and why."""
        self.set_aside = 0
        self.on_progress: Callable[[str, int], None] | None = None
        """Told (pull, records read so far) after every page stored, and (pull, records
        stored) when a pull is done: a first pull of thousands of records shows them
        arriving (the first-run banner) instead of minutes of nothing."""

    def pull_all(self, should_stop: Callable[[], bool] = lambda: False) -> dict[str, int]:
        """Every pull in turn. One pull failing on our side (a bug, a full disk) is
        recorded in `failures` and the others still run; a network or WineDirect failure
        ends the cycle, as there is no point asking again at once."""
        counts = {}
        for name in PULLS:
            if should_stop():
                break
            try:
                counts[name] = getattr(self, f"pull_{name}")()
                if self.on_progress is not None:
                    self.on_progress(name, counts[name])
            except WineDirectError:
                raise
            except Exception as exc:
                log.exception("pull %s failed", name)
                self.failures[name] = f"{type(exc).__name__}: {exc}"[:500]
        return counts

    # --- one record at a time -------------------------------------------------------------

    @staticmethod
    def _open_problem_keys(s: Session, pull: str) -> set[str]:
        """The records of this pull set aside earlier and not stored since."""
        head = f"{pull}:"
        return set(
            s.scalars(
                select(SyncProblem.key).where(
                    SyncProblem.kind == problems.PULL,
                    func.substr(SyncProblem.key, 1, len(head)) == head,
                    SyncProblem.resolved_at.is_(None),
                )
            )
        )

    def _read_detail(
        self, pull: str, key: str, label: str, read: Callable[[], T | None]
    ) -> T | None:
        """One record's detail, or None when WineDirect's reply for it cannot be used (a
        price of 1E+30, a date in year 9999): that record is set aside with the reason,
        and the rest of the pull goes on."""
        try:
            return read()
        except ReplyError as exc:
            with self.db.write() as s:
                problems.report(
                    s,
                    problems.PULL,
                    f"{pull}:{key}",
                    label,
                    f"WineDirect's record could not be used ({exc}); set aside, the rest of "
                    "the pull went on. It is tried again when it changes in WineDirect.",
                )
            self.set_aside += 1
            return None

    def _store_each(
        self,
        s: Session,
        pull: str,
        rows: Iterable[T],
        store: Callable[[Session, T], int | None],
        key: Callable[[T], str],
        label: Callable[[T], str],
    ) -> int:
        """Store each record in its own savepoint: one that cannot be stored (two prices
        at one level, an absurd value) is set aside with its reason and listed for a
        manager, and the rest of the page is kept. A record stored at last closes its
        problem."""
        count = 0
        open_keys = self._open_problem_keys(s, pull)
        for row in rows:
            problem_key = f"{pull}:{key(row)}"
            try:
                with s.begin_nested():
                    count += store(s, row) or 0
            except STORE_ERRORS as exc:
                reason = str(getattr(exc, "orig", None) or exc) or type(exc).__name__
                problems.report(
                    s,
                    problems.PULL,
                    problem_key,
                    label(row),
                    f"Could not be stored here ({reason[:300]}); set aside, the rest of "
                    "the pull went on. It is tried again when it changes in WineDirect.",
                )
                self.set_aside += 1
            else:
                if problem_key in open_keys:
                    problems.resolve(s, problems.PULL, problem_key)
        return count

    # --- marks ------------------------------------------------------------------------

    def since(self, name: str) -> datetime | None:
        """Where the pull starts: a little before its mark. A mark that stands in
        WineDirect's future (a record once dated 2030) is brought back to its present,
        so later changes are seen again."""
        with self.db.read() as s:
            mark = s.get(SyncMark, name)
        if mark is None:
            return None
        return self.server_time.cap(mark.value) - self.overlap

    def _advance(self, name: str, seen: Iterable[datetime | None]) -> None:
        """Move the mark to the newest stamp seen, never past WineDirect's present."""
        newest = max((d for d in seen if d is not None), default=None)
        if newest is None:
            return
        newest = self.server_time.cap(newest)
        with self.db.write() as s:
            mark = s.get(SyncMark, name)
            if mark is None:
                s.add(SyncMark(name=name, value=newest))
            elif newest > mark.value or mark.value > self.server_time.cap(mark.value):
                mark.value = newest

    def _each_page(
        self, name: str, search: Callable[..., r.Page[T]], **kwargs: Any
    ) -> Iterator[list[T]]:
        """Every page of a search. The page reached is kept in sync_state after each
        page is stored, so a restart (or a crash) goes on from there rather than from
        page 1; one page is read again in case changes shifted the order."""
        if self.max_rows:
            kwargs["max_rows"] = self.max_rows
        since = kwargs.get("modified_from")
        key = f"page:{name}"
        page = self._resume(key, since)
        read = 0
        while True:
            FOREGROUND.step_aside()  # between pages: no transaction is open here
            result = search(page=page, **kwargs)
            if result.refused:
                self._set_aside_unreadable(name, result.refused)
            yield result.items
            read += len(result.items)
            if self.on_progress is not None:
                self.on_progress(name, read)
            with self.db.write() as s:
                if not result.has_more:
                    row = s.get(SyncState, key)
                    if row is not None:
                        s.delete(row)
                    return
                page += 1
                state = {"since": since.isoformat() if since else None, "page": page}
                s.merge(SyncState(key=key, value=json.dumps(state)))

    def _set_aside_unreadable(self, pull: str, refused: tuple[r.RefusedRecord, ...]) -> None:
        """Records of a page that could not even be read: listed, the page goes on."""
        with self.db.write() as s:
            for record in refused:
                problems.report(
                    s,
                    problems.PULL,
                    f"{pull}:{record.key or record.reason[:80]}",
                    f"A {pull} record from WineDirect" + (f" ({record.key})" if record.key else ""),
                    f"Could not be read ({record.reason}); set aside, the rest of the pull "
                    "went on. It is tried again when it changes in WineDirect.",
                )
                self.set_aside += 1

    def _resume(self, key: str, since: datetime | None) -> int:
        with self.db.read() as s:
            row = s.get(SyncState, key)
        try:
            saved = json.loads(row.value) if row else {}
        except ValueError:
            saved = {}
        if saved.get("since") != (since.isoformat() if since else None):
            return m.FIRST_PAGE
        return max(m.FIRST_PAGE, int(saved.get("page", m.FIRST_PAGE)) - 1)

    # --- catalog and stock --------------------------------------------------------------

    def pull_catalog(self) -> int:
        seen, count = [], 0
        for summaries in self._each_page(
            "catalog", self.client.search_products, modified_from=self.since("catalog")
        ):
            with self.db.read() as s:
                stored = dict(
                    s.execute(
                        select(Product.wd_product_id, Product.date_modified).where(
                            Product.wd_product_id.in_([p.product_id for p in summaries])
                        )
                    ).all()
                )
            # Seen again only because of the overlap window: nothing to fetch.
            changed = [p for p in summaries if stored.get(p.product_id) != p.date_modified]
            details = [
                self._read_detail(
                    "catalog",
                    p.product_id,
                    f"Product {p.title or p.product_id}",
                    lambda p=p: self.client.get_product(product_id=p.product_id),
                )
                for p in changed
            ]
            with self.db.write() as s:
                count += self._store_each(
                    s,
                    "catalog",
                    [d for d in details if d is not None],
                    self._store_product,
                    lambda d: d.product_id,
                    lambda d: f"Product {d.title}",
                )
            seen.extend(p.date_modified for p in summaries)
        self._advance("catalog", seen)
        self.catalog_changed |= count > 0
        return count

    def _store_product(self, s: Session, detail: r.ProductDetail) -> int:
        product = s.scalar(select(Product).where(Product.wd_product_id == detail.product_id))
        if product is None and detail.skus:
            sku = s.scalar(select(Sku).where(Sku.code == detail.skus[0].sku))
            product = s.get(Product, sku.product_id) if sku else None
        if product is None:
            kind = Kind.BOTTLE if (detail.type or "").lower() == "wine" else _kind(detail.type)
            product = Product(id=new_id(), title=detail.title, kind=kind.value)
            s.add(product)
        product.wd_product_id = detail.product_id
        product.title = detail.title
        product.pos_title = detail.pos_title
        product.active = detail.is_active
        product.varietal = detail.varietal or product.varietal
        product.vintage = detail.vintage or product.vintage
        if detail.date_modified:
            product.date_modified = detail.date_modified
        s.flush()
        for info in detail.skus:
            sku = s.scalar(select(Sku).where(Sku.code == info.sku))
            if sku is None:
                sku = Sku(id=new_id(), product_id=product.id, code=info.sku)
                s.add(sku)
            barcode_owner = (
                s.scalar(select(Sku.id).where(Sku.barcode == info.upc)) if info.upc else None
            )
            if barcode_owner in (None, sku.id):
                sku.barcode = info.upc
            sku.unit_description = info.unit_description
            sku.non_taxable = info.non_taxable
            sku.active = detail.is_active
            s.flush()
            s.execute(delete(Price).where(Price.sku_id == sku.id))
            for price in info.prices:
                if price.quantity <= 1:
                    s.add(
                        Price(
                            sku_id=sku.id,
                            price_level=price.level,
                            price_cents=price.price_cents,
                            sale_price_cents=price.sale_price_cents,
                        )
                    )
            s.flush()
        return 1

    def pull_stock(self) -> int:
        """Counts for our pool, less what we sold here that WineDirect has not heard of."""
        pool = self.settings.inventory_pool
        count = 0
        for levels in self._each_page("stock", self.client.search_inventory, pool=pool):
            with self.db.write() as s:
                unsent = _unsent_units(s)

                def store(
                    s: Session, level: r.InventoryLevel, unsent: dict[str, int] = unsent
                ) -> int:
                    sku_id = s.scalar(select(Sku.id).where(Sku.code == level.sku))
                    if sku_id is None:
                        return 0
                    on_hand = level.count - unsent.get(sku_id, 0)
                    row = s.get(Stock, (sku_id, pool))
                    if row is None:
                        s.add(Stock(sku_id=sku_id, pool=pool, on_hand=on_hand))
                    elif row.on_hand != on_hand:
                        row.on_hand = on_hand
                    s.flush()
                    return 1

                count += self._store_each(
                    s, "stock", levels, store, lambda v: v.sku, lambda v: f"Stock of {v.sku}"
                )
        return count

    # --- people -------------------------------------------------------------------------

    def pull_contacts(self) -> int:
        seen, count = [], 0
        for contacts in self._each_page(
            "contacts", self.client.search_contacts, modified_from=self.since("contacts")
        ):
            with self.db.write() as s:
                count += self._store_each(
                    s,
                    "contacts",
                    contacts,
                    self._store_contact,
                    lambda c: c.contact_id,
                    lambda c: f"Customer {c.first_name or ''} {c.last_name or ''}".strip(),
                )
            seen.extend(c.date_modified for c in contacts)
        self._advance("contacts", seen)
        return count

    def _store_contact(self, s: Session, c: r.ContactInfo) -> int:
        row = s.scalar(select(Customer).where(Customer.wd_contact_id == c.contact_id))
        if row is None and c.email:
            row = s.scalar(
                select(Customer).where(
                    func.lower(Customer.email) == c.email.lower(), Customer.wd_contact_id.is_(None)
                )
            )
        if row is None:
            row = Customer(id=new_id())
            s.add(row)
        elif _pending(s, OutboxKind.CONTACT, row.id):
            return 0  # our change is newer and still on its way up
        row.wd_contact_id = c.contact_id
        row.customer_number = str(c.customer_number) if c.customer_number else row.customer_number
        row.first_name, row.last_name = c.first_name, c.last_name
        row.email = c.email.lower() if c.email else None
        row.phone = "".join(ch for ch in c.phone if ch.isdigit()) if c.phone else None
        row.address, row.address2, row.city = c.address, c.address2, c.city
        row.state, row.zip_code = c.state, c.zip_code
        row.birth_date = c.birth_date
        row.non_taxable = c.non_taxable
        if c.date_modified:
            row.date_modified = c.date_modified
        s.flush()
        return 1

    def pull_addresses(self) -> int:
        seen, count = [], 0
        since = self.since("addresses")
        for addresses in self._each_page(
            "addresses", self.client.search_shipping_addresses, modified_from=since
        ):
            with self.db.write() as s:
                count += self._store_each(
                    s,
                    "addresses",
                    addresses,
                    self._store_address,
                    lambda a: a.address_id,
                    lambda a: f"Shipping address {a.address or ''}".strip(),
                )
            seen.extend(a.date_modified for a in addresses)
        self._advance("addresses", seen)
        return count

    def _store_address(self, s: Session, a: r.ShippingAddressInfo) -> int:
        customer_id = s.scalar(select(Customer.id).where(Customer.wd_contact_id == a.contact_id))
        if customer_id is None:
            return 0
        row = s.scalar(select(ShippingAddress).where(ShippingAddress.wd_address_id == a.address_id))
        # One saved here before WineDirect numbered it: adopt it, don't copy it.
        row = row or s.scalar(
            select(ShippingAddress).where(
                ShippingAddress.customer_id == customer_id,
                ShippingAddress.wd_address_id.is_(None),
                ShippingAddress.address == a.address,
                ShippingAddress.zip_code == a.zip_code,
            )
        )
        if row is None:
            row = ShippingAddress(id=new_id())
            s.add(row)
        row.wd_address_id = a.address_id
        row.customer_id = customer_id
        row.first_name, row.last_name = a.first_name, a.last_name
        row.address, row.address2, row.city = a.address, a.address2, a.city
        row.state, row.zip_code = a.state, a.zip_code
        s.flush()
        return 1

    def pull_clubs(self) -> int:
        count = 0
        for clubs in self._each_page("clubs", self.client.search_clubs):
            with self.db.write() as s:
                count += self._store_each(
                    s, "clubs", clubs, self._store_club, lambda c: c.club_id, lambda c: c.name
                )
        return count

    @staticmethod
    def _store_club(s: Session, c: r.ClubInfo) -> int:
        row = s.scalar(select(Club).where(Club.wd_club_id == c.club_id))
        row = row or s.scalar(select(Club).where(Club.name == c.name, Club.wd_club_id.is_(None)))
        if row is None:
            row = Club(id=new_id(), name=c.name, discount_ppm=0, discount_kinds="")
            s.add(row)
        row.wd_club_id, row.name = c.club_id, c.name
        s.flush()
        return 1

    def pull_memberships(self) -> int:
        seen, count = [], 0
        since = self.since("memberships")
        for memberships in self._each_page(
            "memberships", self.client.search_club_memberships, modified_from=since
        ):
            with self.db.write() as s:
                count += self._store_each(
                    s,
                    "memberships",
                    memberships,
                    self._store_membership,
                    lambda m: m.membership_id,
                    lambda m: f"Club membership {m.membership_id}",
                )
            seen.extend(m.date_modified for m in memberships)
        self._advance("memberships", seen)
        return count

    @staticmethod
    def _store_membership(s: Session, m: r.MembershipInfo) -> int:
        customer_id = s.scalar(select(Customer.id).where(Customer.wd_contact_id == m.contact_id))
        club_id = s.scalar(select(Club.id).where(Club.wd_club_id == m.club_id))
        if customer_id is None or club_id is None:
            return 0
        row = s.scalar(
            select(ClubMembership).where(ClubMembership.wd_membership_id == m.membership_id)
        )
        row = row or s.scalar(
            select(ClubMembership).where(
                ClubMembership.customer_id == customer_id,
                ClubMembership.club_id == club_id,
                ClubMembership.wd_membership_id.is_(None),
            )
        )
        if row is None:
            row = ClubMembership(id=new_id())
            s.add(row)
        row.wd_membership_id, row.customer_id, row.club_id = m.membership_id, customer_id, club_id
        row.status, row.is_pickup, row.pickup_location = m.status, m.is_pickup, m.pickup_location
        if m.date_modified:
            row.date_modified = m.date_modified
        s.flush()
        return 1

    # --- orders -------------------------------------------------------------------------

    def pull_orders(self) -> int:
        """Orders changed in WineDirect: ours gain ids and statuses, orders we hold gain
        tracking and cancellations, and pickups waiting at our location are imported.

        Another terminal's order is not ours and not a pickup here: it is skipped without
        reading its detail, unless some order of ours still lacks WineDirect's id (its
        answer was lost), in which case each unknown register order is read once and
        remembered."""
        seen, count = [], 0
        since = self.since("orders")
        for summaries in self._each_page(
            "orders", self.client.search_orders, modified_from=since, include_external=True
        ):
            count += self._pull_order_page(summaries)
            seen.extend(o.date_modified for o in summaries)
        self._advance("orders", seen)
        return count

    def _pull_order_page(self, summaries: list[r.OrderSummary]) -> int:
        with self.db.read() as s:
            ids = [o.order_id for o in summaries]
            held = {
                wd_id: order_id
                for wd_id, order_id in s.execute(
                    select(Order.wd_order_id, Order.id).where(Order.wd_order_id.in_(ids))
                )
            }
            known = known_ids(s, ids)
            unlinked = _orders_without_wd_id(s)
        details: dict[str, r.OrderDetail] = {}
        for summary in summaries:
            if summary.order_id in held:
                continue
            wanted = (summary.is_external and unlinked and summary.order_id not in known) or (
                not summary.is_external and summary.is_pickup and summary.is_pending_pickup
            )
            if wanted:
                detail = self._read_detail(
                    "orders",
                    summary.order_id,
                    f"Web order {summary.order_number}",
                    lambda summary=summary: self.client.get_order(order_id=summary.order_id),
                )
                if detail is not None:
                    details[summary.order_id] = detail
        count = 0
        with self.db.write() as s:
            open_keys = self._open_problem_keys(s, "orders")
            for summary in summaries:
                try:
                    with s.begin_nested():
                        count += self._store_order(s, summary, held, details)
                    if f"orders:{summary.order_id}" in open_keys and (
                        summary.order_id in held or summary.order_id in details
                    ):
                        problems.resolve(s, problems.PULL, f"orders:{summary.order_id}")
                except STORE_ERRORS as exc:
                    reason = str(getattr(exc, "orig", None) or exc) or type(exc).__name__
                    problems.report(
                        s,
                        problems.PULL,
                        f"orders:{summary.order_id}",
                        f"Web order {summary.order_number}",
                        f"Could not be stored here ({reason[:300]}); set aside, the rest of "
                        "the pull went on. It is tried again when it changes in WineDirect.",
                    )
                    self.set_aside += 1
        return count

    def _store_order(
        self,
        s: Session,
        summary: r.OrderSummary,
        held: dict[str, str],
        details: dict[str, r.OrderDetail],
    ) -> int:
        if summary.order_id in held:
            order = s.get(Order, held[summary.order_id])
            self._update_held(s, order, summary)
            return 1
        detail = details.get(summary.order_id)
        if detail is None:
            return 0
        if summary.is_external:
            remember(s, detail.order_id, detail.alt_order_number, summary.date_modified)
            return self._link_ours(s, detail, summary) if detail.alt_order_number else 0
        if detail.pickup_location != self.settings.pickup_location:
            return 0
        if s.scalar(select(Order.id).where(Order.number == str(detail.order_number))):
            raise ValueError(
                f"an order numbered {detail.order_number} is already held here under "
                "another WineDirect id"
            )
        self._import_pickup(s, detail)
        s.flush()
        return 1

    def _update_held(self, s: Session, order: Order, summary: r.OrderSummary) -> None:
        if summary.order_number is not None:
            order.wd_order_number = str(summary.order_number)
        if summary.status == "Cancelled" and order.status == "completed":
            order.status = "cancelled"
        order.tracking_number = summary.tracking_number or order.tracking_number
        order.shipped_at = summary.shipped_at or order.shipped_at
        handed_over_here = _pending(s, OutboxKind.PICKUP, order.id)
        if summary.shipping_status and not handed_over_here:
            order.shipping_status = summary.shipping_status
        if (
            order.source == "web"
            and summary.is_pickup
            and not summary.is_pending_pickup
            and order.picked_up_at is None
            and order.status != "cancelled"
        ):
            order.picked_up_at = summary.date_modified  # handed over on the web
        if summary.date_modified:
            order.date_modified = summary.date_modified

    def _link_ours(self, s: Session, detail: r.OrderDetail, summary: r.OrderSummary) -> int:
        """One of our own orders, seen from WineDirect: note its ids, settle its outbox row."""
        number = detail.alt_order_number
        order = s.scalar(select(Order).where(Order.number == number))
        if order is None:
            return 0  # another terminal's order: not ours to hold
        order.wd_order_id = order.wd_order_id or detail.order_id
        order.wd_order_number = str(detail.order_number) if detail.order_number else None
        self._update_held(s, order, summary)
        item = s.scalar(
            select(OutboxItem).where(
                OutboxItem.entity_id == order.id,
                OutboxItem.kind.in_((OutboxKind.ORDER.value, OutboxKind.REFUND.value)),
                OutboxItem.state == "pending",
                OutboxItem.in_flight_at.is_not(None),
            )
        )
        if item is not None:  # its reply was lost; WineDirect has it: settled
            item.state, item.in_flight_at, item.sent_at = "sent", None, self.clock.now()
        return 1

    def _import_pickup(self, s: Session, d: r.OrderDetail) -> None:
        customer_id = (
            s.scalar(select(Customer.id).where(Customer.wd_contact_id == d.contact_id))
            if d.contact_id
            else None
        )
        order = Order(
            id=new_id(),
            number=str(d.order_number),
            source="web",
            status="completed",
            transaction_type="order",
            created_at=d.completed_at or self.clock.now(),
            date_modified=self.clock.now(),
            customer_id=customer_id,
            fulfilment="carry_out",
            subtotal_cents=d.subtotal_cents,
            discount_cents=0,
            tax_cents=d.tax_cents,
            shipping_cents=d.shipping_cents,
            tip_cents=d.tip_cents,
            total_cents=d.total_cents,
            wd_order_id=d.order_id,
            wd_order_number=str(d.order_number),
            shipping_status=d.shipping_status,
            pickup_location=d.pickup_location,
            picked_up_at=d.picked_up_at,
        )
        s.add(order)
        s.flush()
        for n, item in enumerate(d.items, 1):
            sku_id = s.scalar(select(Sku.id).where(Sku.code == item.sku))
            kind = (
                s.scalar(select(Product.kind).join(Sku).where(Sku.id == sku_id)) if sku_id else None
            )
            line_total = item.price_cents * item.quantity
            s.add(
                OrderLine(
                    id=new_id(),
                    order_id=order.id,
                    line_no=n,
                    sku_id=sku_id,
                    sku_code=item.sku,
                    name=item.title or item.sku,
                    kind=kind or Kind.BOTTLE.value,
                    quantity=item.quantity,
                    units=1,
                    unit_price_cents=item.price_cents,
                    original_price_cents=item.original_price_cents or item.price_cents,
                    discount_cents=0,
                    taxable=not item.non_taxable,
                    tax_rate_ppm=0,
                    tax_cents=item.sales_tax_cents,
                    net_cents=line_total,
                    explanation="web order",
                    tracking_number=item.tracking_number,
                )
            )


def _kind(wd_type: str | None) -> Kind:
    value = (wd_type or "").strip().lower().replace(" ", "_")
    return Kind(value) if value in {k.value for k in Kind} else Kind.MERCHANDISE


def _orders_without_wd_id(s: Session) -> bool:
    """Has an order of ours gone up without WineDirect's id coming back (a lost reply
    settled later, an answer without an id)? Only then are unknown register orders read."""
    return bool(
        s.scalar(
            select(OutboxItem.seq)
            .join(Order, Order.id == OutboxItem.entity_id)
            .where(
                OutboxItem.kind.in_((OutboxKind.ORDER.value, OutboxKind.REFUND.value)),
                Order.wd_order_id.is_(None),
                (OutboxItem.state == "sent") | (OutboxItem.in_flight_at.is_not(None)),
            )
            .limit(1)
        )
    )


def _unsent_units(s: Session) -> dict[str, int]:
    """Base-SKU units sold here in orders WineDirect has not yet received."""
    rows = s.execute(
        select(Sku.base_sku_id, Sku.id, func.sum(OrderLine.quantity * OrderLine.units))
        .join(OrderLine, OrderLine.sku_id == Sku.id)
        .join(OutboxItem, OutboxItem.entity_id == OrderLine.order_id)
        .where(OutboxItem.kind == OutboxKind.ORDER.value, OutboxItem.state == "pending")
        .group_by(Sku.id)
    ).all()
    units: dict[str, int] = {}
    for base, sku_id, total in rows:
        units[base or sku_id] = units.get(base or sku_id, 0) + int(total or 0)
    return units
