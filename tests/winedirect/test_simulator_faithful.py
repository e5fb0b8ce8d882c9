"""The simulator is faithful where the sync engine's tests lean on it: what it applied and
how often, WineDirect's clock in the Date header, records stamped from the future, other
registers' orders, a poison row, a second hand-over, stable paging and the rate limit.

Everything goes over real HTTP on 127.0.0.1, through the register's own client.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tastingroom.winedirect import mapping as m
from tastingroom.winedirect import records as r
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.errors import Fault, OutcomeUnknown, RateLimited, Rejected
from tastingroom.winedirect.simulator.server import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
    Faults,
    Simulator,
)
from tastingroom.winedirect.simulator.state import APPLIED_KINDS, SimState
from tastingroom.winedirect.soap import build_call

from .conftest import CREDENTIALS
from .test_client import NOW, an_order

FUTURE = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


class Clock:
    """WineDirect's clock in these tests: it moves only when a test moves it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Iterator[Simulator]:
    simulator = Simulator(
        SimState.demo(clock=clock), seed=5, rate_clock=lambda: clock.now.timestamp()
    ).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def wd(sim: Simulator) -> Iterator[WineDirectClient]:
    with WineDirectClient(sim.url, CREDENTIALS) as c:
        yield c


def admin_state(sim: Simulator) -> dict[str, Any]:
    return httpx.get(f"{sim.url}/_admin/state").json()


def admin_post(sim: Simulator, route: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{sim.url}/_admin/{route}", content=json.dumps(body))


def soap_post(sim: Simulator, op: m.Operation, request: dict[str, Any]) -> httpx.Response:
    """A V3 call sent by hand, to look at what the client does not show (headers)."""
    body = {"Security": {"Username": DEMO_USERNAME, "Password": DEMO_PASSWORD}, **request}
    payload = build_call(op.service.namespace, op.name, [("Request", op.parts[0][1], body)])
    return httpx.post(
        f"{sim.url}{op.service.path}",
        content=payload,
        headers={"Content-Type": "text/xml; charset=utf-8"},
    )


def a_pending_pickup(wd: WineDirectClient) -> r.OrderSummary:
    return wd.search_orders(pending_pickup=True).items[0]


def wd_number(sim: Simulator, ours: str) -> str:
    """WineDirect's number for an order we sent."""
    return str(int(sim.state.orders[sim.state.register_orders[ours]]["OrderNumber"]))


# --- 1. apply counts ---------------------------------------------------------------------


def test_each_applied_write_is_counted_by_its_key(sim: Simulator, wd: WineDirectClient):
    wd.upsert_orders([an_order("TR1-000001")])
    wd.upsert_orders([an_order("TR1-000001")])
    wd.upsert_orders([an_order("TR1-000002"), an_order("TR1-000003", sku="NO-SUCH-SKU")])
    wd.upsert_contacts([r.ContactToSend("our-uuid-1", "Renée", "Dubois")])
    wd.upsert_contacts([r.ContactToSend("our-uuid-1", "Renée", "Dubois-Martin")])
    pickup = a_pending_pickup(wd)
    wd.post_pickups([r.PickupToSend(str(pickup.order_number), NOW)])
    wd.post_shipping_statuses([r.ShippingStatusToSend("TR1-000002", "HandledExternally", NOW)])
    shipped = int(wd_number(sim, "TR1-000001"))
    wd.post_tracking(shipped, [r.PackageToSend("UPS", "1Z999", NOW)])

    expected = {
        "orders": {"TR1-000001": 2, "TR1-000002": 1},
        "contacts": {"our-uuid-1": 2},
        "pickups": {str(pickup.order_number): 1},
        "shipping_statuses": {wd_number(sim, "TR1-000002"): 1},
        "tracking": {str(shipped): 1},
    }
    assert {kind: sim.state.applied(kind) for kind in APPLIED_KINDS} == expected
    assert admin_state(sim)["applied"] == expected
    with pytest.raises(ValueError, match="kind must be one of"):
        sim.state.applied("gift_cards")


def test_a_refused_v2_batch_applies_none_of_its_rows(sim: Simulator, wd: WineDirectClient):
    pickup = a_pending_pickup(wd)
    with pytest.raises(Rejected, match="999999 was not found"):
        wd.post_pickups(
            [r.PickupToSend(str(pickup.order_number), NOW), r.PickupToSend("999999", NOW)]
        )
    assert wd.get_order(order_id=pickup.order_id).picked_up_at is None
    wd.upsert_orders([an_order("TR1-000001")])
    with pytest.raises(Rejected, match="999999 was not found"):
        wd.post_shipping_statuses(
            [
                r.ShippingStatusToSend("TR1-000001", "Shipped", NOW),
                r.ShippingStatusToSend("999999", "Shipped", NOW),
            ]
        )
    assert sim.state.orders[sim.state.register_orders["TR1-000001"]]["ShippedDate"] is None
    assert sim.state.applied("pickups") == sim.state.applied("shipping_statuses") == {}


def test_only_writes_that_were_applied_are_counted(sim: Simulator, wd: WineDirectClient):
    sim.set_faults(reset_before_write=1.0)
    with pytest.raises(OutcomeUnknown):
        wd.upsert_orders([an_order("TR1-000001")])
    sim.set_faults(reset_before_write=0.0, fail_rate=1.0)
    with pytest.raises(OutcomeUnknown):
        wd.upsert_orders([an_order("TR1-000002")])
    sim.set_faults(fail_rate=0.0, drop_reply_after_write=1.0)
    with pytest.raises(OutcomeUnknown):
        wd.upsert_orders([an_order("TR1-000003")])
    sim.set_faults(drop_reply_after_write=0.0, malformed_rate=1.0)
    with pytest.raises(OutcomeUnknown):
        wd.upsert_contacts([r.ContactToSend("our-uuid-4", "Ana", "Silva")])
    assert sim.state.applied("orders") == {"TR1-000003": 1}
    assert sim.state.applied("contacts") == {"our-uuid-4": 1}
    assert sim.state.register_order_numbers() == ["TR1-000003"]


def test_counts_hold_under_concurrent_writes(sim: Simulator):
    def push(register: int) -> None:
        with WineDirectClient(sim.url, CREDENTIALS) as c:
            for n in range(5):
                c.upsert_orders([an_order(f"TR{register}-{n:06d}")])
                c.upsert_orders([an_order(f"TR{register}-{n:06d}")])

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(push, range(1, 7)))
    counts = sim.state.applied("orders")
    assert len(counts) == 30 and set(counts.values()) == {2}
    assert sim.state.overwritten() == []


def test_overwritten_tells_a_resend_from_another_sale(sim: Simulator, wd: WineDirectClient):
    sale = an_order("TR1-000001")
    wd.upsert_orders([sale])
    wd.upsert_orders([sale])
    wd.upsert_orders([dataclasses.replace(sale, shipping_status="Handled Externally")])
    assert sim.state.overwritten() == []
    other_register = dataclasses.replace(sale, ordered_at=NOW + timedelta(minutes=3))
    wd.upsert_orders([other_register])
    assert sim.state.overwritten() == ["TR1-000001"]
    assert sim.state.applied("orders") == {"TR1-000001": 4}
    assert admin_state(sim)["overwritten"] == ["TR1-000001"]


# --- 2. the Date header ------------------------------------------------------------------


def test_every_reply_is_dated_by_winedirects_clock(sim: Simulator, clock: Clock):
    clock.now = FUTURE
    assert httpx.get(f"{sim.url}/_admin/state").headers["date"] == "Wed, 02 Jan 2030 03:04:05 GMT"
    clock.now += timedelta(hours=2)
    soap = soap_post(sim, m.SEARCH_ORDERS, {"MaxRows": 1})
    assert soap.status_code == 200 and soap.headers["date"] == "Wed, 02 Jan 2030 05:04:05 GMT"
    fault = httpx.post(f"{sim.url}/V301/OrderService.cfc", content=b"not xml")
    assert fault.status_code == 500 and fault.headers["date"] == soap.headers["date"]


# --- 3. records stamped in the future ------------------------------------------------------


def test_a_future_stamp_stays_until_the_record_changes(
    sim: Simulator, wd: WineDirectClient, clock: Clock
):
    [mine] = wd.upsert_contacts([r.ContactToSend("our-uuid-9", "Søren", "Lund")])
    sim.state.stamp_future("contacts", "our-uuid-9", FUTURE)
    clock.now += timedelta(minutes=10)
    wd.upsert_contacts([r.ContactToSend("our-uuid-10", "Ana", "Silva")])
    wd.upsert_orders([an_order("TR1-000001")])
    ahead = wd.search_contacts(modified_from=FUTURE).items
    assert [(c.contact_id, c.date_modified) for c in ahead] == [(mine.internal_key, FUTURE)]
    assert wd.get_contact(alt_contact_id="our-uuid-9").date_modified == FUTURE

    wd.upsert_contacts([r.ContactToSend("our-uuid-9", "Søren", "Lund-Berg")])
    assert wd.get_contact(alt_contact_id="our-uuid-9").date_modified == clock.now
    assert wd.search_contacts(modified_from=FUTURE).record_count == 0


def _stamped_search(kind: str, sim: Simulator, wd: WineDirectClient) -> tuple[str, Any]:
    """A record of `kind` to stamp, and the search that should then find it alone."""
    state = sim.state
    if kind == "orders":
        return a_pending_pickup(wd).order_id, lambda: wd.search_orders(modified_from=FUTURE)
    if kind == "products":
        return next(iter(state.products)), lambda: wd.search_products(modified_from=FUTURE)
    if kind == "contacts":
        return next(iter(state.contacts)), lambda: wd.search_contacts(modified_from=FUTURE)
    if kind == "memberships":
        return next(iter(state.memberships)), lambda: wd.search_club_memberships(
            modified_from=FUTURE
        )
    return next(iter(state.shipping_addresses)), lambda: wd.search_shipping_addresses(
        modified_from=FUTURE
    )


@pytest.mark.parametrize("kind", ["orders", "products", "contacts", "memberships", "addresses"])
def test_the_stamp_route_stamps_each_kind(kind: str, sim: Simulator, wd: WineDirectClient):
    record_id, search = _stamped_search(kind, sim, wd)
    assert search().record_count == 0
    answer = admin_post(sim, "stamp", {"kind": kind, "id": record_id, "when": FUTURE.isoformat()})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"kind": kind, "id": record_id, "when": "2030-01-02T03:04:05+00:00"}
    found = search()
    assert found.record_count == 1 and found.items[0].date_modified == FUTURE


def test_the_stamp_route_refuses_what_it_cannot_stamp(sim: Simulator):
    contact = next(iter(sim.state.contacts))
    cases = [
        ({"kind": "giftcards", "id": contact, "when": FUTURE.isoformat()}, 400, "kind must be"),
        ({"kind": "contacts", "id": "nobody", "when": FUTURE.isoformat()}, 404, "nobody"),
        ({"kind": "orders", "id": "TR9-000001", "when": FUTURE.isoformat()}, 404, "TR9"),
        ({"kind": "contacts", "id": contact, "when": "2030-01-02T03:04:05"}, 400, "time zone"),
        ({"kind": "contacts", "id": contact}, 400, "when is required"),
        ({"kind": "contacts", "id": contact, "when": "soon"}, 400, "soon"),
    ]
    for body, status, text in cases:
        answer = admin_post(sim, "stamp", body)
        assert (answer.status_code, text in answer.text) == (status, True), body
    assert sim.state.contacts[contact]["DateModified"] < FUTURE


# --- 4. another terminal's orders ----------------------------------------------------------


def test_another_registers_orders_look_like_pushes(sim: Simulator, wd: WineDirectClient):
    [ours] = wd.upsert_orders([an_order("TR1-000001")])
    stock = wd.search_inventory(pool="Tasting Room").items
    numbers = sim.state.add_foreign_register_orders("TR2", 3, start=7)

    assert numbers == ["TR2-000007", "TR2-000008", "TR2-000009"]
    assert sim.state.applied("orders") == {"TR1-000001": 1, **dict.fromkeys(numbers, 1)}
    assert sim.state.register_order_numbers() == ["TR1-000001", *numbers]
    external = [o for o in wd.search_orders(include_external=True).items if o.is_external]
    assert len(external) == 4 and all(o.type == "POS" for o in external)
    detail = wd.get_order(order_id=sim.state.register_orders["TR2-000008"])
    assert (detail.alt_order_number, detail.type, detail.is_external) == ("TR2-000008", "POS", True)
    assert detail.total_cents == detail.subtotal_cents + detail.tax_cents > 0
    ours_held = sim.state.orders[ours.internal_key]
    theirs_held = sim.state.orders[detail.order_id]
    assert {k for k, v in theirs_held.items() if v is not None} == {
        k for k, v in ours_held.items() if v is not None
    }
    after = {i.sku: i.count for i in wd.search_inventory(pool="Tasting Room").items}
    assert sum(after.values()) < sum(i.count for i in stock)


def test_another_register_reusing_our_number_overwrites_our_sale(
    sim: Simulator, wd: WineDirectClient
):
    wd.upsert_orders([an_order("TR1-000001")])
    sim.state.add_foreign_register_orders("TR1", 1)
    assert sim.state.overwritten() == ["TR1-000001"]
    assert sim.state.register_order_numbers() == ["TR1-000001"]


# --- 5. a poison row -----------------------------------------------------------------------


def test_a_poison_row_faults_its_whole_batch(sim: Simulator, wd: WineDirectClient):
    answer = admin_post(sim, "faults", {"fault_on_text": "POISON"})
    assert answer.status_code == 200 and answer.json()["fault_on_text"] == "POISON"
    poisoned = dataclasses.replace(
        an_order("TR1-000002"),
        bill_to=r.Address("Ana", "POISON", "1 Vine St", None, "Healdsburg", "CA", "95448"),
    )
    with pytest.raises(Fault, match="could not be converted"):
        wd.upsert_orders([an_order("TR1-000001"), poisoned])
    with pytest.raises(Fault, match="CFCInvocationException"):
        wd.upsert_contacts(
            [r.ContactToSend("our-uuid-1", "Ana", "Silva", city="POISONville")],
        )
    assert sim.state.register_order_numbers() == []
    assert sim.state.applied("orders") == sim.state.applied("contacts") == {}
    assert "our-uuid-1" not in sim.state.alt_contact_ids
    assert wd.search_contacts(email="POISON@example.org").record_count == 0  # reads answer

    assert admin_post(sim, "faults", {"fault_on_text": 7}).status_code == 400
    sim.set_faults(fault_on_text="")
    assert [x.ok for x in wd.upsert_orders([an_order("TR1-000001"), poisoned])] == [True, True]


def test_faults_refuse_a_poison_that_is_not_text():
    with pytest.raises(ValueError, match="fault_on_text"):
        Faults(fault_on_text=None)  # type: ignore[arg-type]


# --- 6. a second hand-over -----------------------------------------------------------------


def test_a_second_pickup_is_accepted_and_keeps_the_first_date(sim: Simulator, wd: WineDirectClient):
    pickup = a_pending_pickup(wd)
    wd.post_pickups([r.PickupToSend(str(pickup.order_number), NOW)])
    wd.post_pickups([r.PickupToSend(str(pickup.order_number), NOW + timedelta(hours=1))])
    held = wd.get_order(order_id=pickup.order_id)
    assert (held.picked_up_at, held.shipping_status) == (NOW, "Picked Up")
    assert sim.state.applied("pickups") == {str(pickup.order_number): 2}


# --- 7. SearchOrders: filters and stable paging --------------------------------------------


def test_paging_250_orders_by_100_sees_each_once(
    sim: Simulator, wd: WineDirectClient, clock: Clock
):
    for n in range(210):
        if n % 70 == 0:
            clock.now += timedelta(minutes=1)  # runs of orders share one DateModified
        sim.state.create_web_order(pickup=n % 3 == 0)
    pages = [wd.search_orders(page=p, max_rows=100) for p in (1, 2, 3, 4)]
    assert [len(p.items) for p in pages] == [100, 100, 50, 0]
    assert {p.record_count for p in pages} == {250}
    seen = [(o.date_modified, o.order_id) for p in pages for o in p.items]
    assert len({order_id for _, order_id in seen}) == 250 and seen == sorted(seen)


def test_search_orders_filters(sim: Simulator, wd: WineDirectClient):
    sim.state.add_foreign_register_orders("TR2", 5)
    everything = wd.search_orders(include_external=True, max_rows=500).items
    web = wd.search_orders(max_rows=500).items
    assert len(everything) == len(web) + 5 and not any(o.is_external for o in web)
    pickups = wd.search_orders(pickup=True, max_rows=500).items
    assert pickups and all(o.is_pickup for o in pickups)
    assert not any(o.is_pickup for o in wd.search_orders(pickup=False, max_rows=500).items)
    pending = wd.search_orders(pending_pickup=True, pickup_location="TASTINGROOM").items
    assert pending and all(o.is_pending_pickup for o in pending)
    assert len(pending) < len(pickups)  # the cancelled ones are not pending
    assert wd.search_orders(pending_pickup=True, pickup_location="ELSEWHERE").record_count == 0


# --- 8. the rate limit ---------------------------------------------------------------------


def test_a_write_over_the_limit_is_429_with_the_reset_and_is_not_applied(
    sim: Simulator, wd: WineDirectClient, clock: Clock
):
    clock.now = datetime.fromtimestamp(1_800_000_030, UTC)
    sim.set_faults(rate_limit=2, limit_writes=True)
    wd.upsert_orders([an_order("TR1-000001")])
    wd.upsert_orders([an_order("TR1-000002")])
    refused = soap_post(sim, m.UPSERT_ORDERS, {"Orders": [m.order_to_wire(an_order("TR1-3"))]})
    assert refused.status_code == 429
    assert refused.headers["x-rate-limit-reset"] == "1800000060"
    assert refused.headers["x-rate-limit-remaining"] == "0"
    assert refused.headers["retry-after"] == "30"
    with pytest.raises(RateLimited) as caught:
        wd.upsert_orders([an_order("TR1-000004")])
    assert caught.value.reset_at == datetime.fromtimestamp(1_800_000_060, UTC)
    assert sim.state.applied("orders") == {"TR1-000001": 1, "TR1-000002": 1}

    clock.now += timedelta(seconds=30)  # the next window
    [ok] = wd.upsert_orders([an_order("TR1-000004")])
    assert ok.ok and sim.state.applied("orders")["TR1-000004"] == 1
