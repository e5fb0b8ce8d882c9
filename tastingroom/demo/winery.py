"""The demo winery: a believable store to train on, demo, and test against.

`seed_demo` fills an empty cache from `resources/demo/winery.json` (catalog, prices,
stock, clubs, staff, tax rates) and generates about 200 customers from its name lists
with a fixed random seed, so every demo database is the same. `ring_demo_sales`
rings realistic sales through `Register.commit`, the very path the register uses.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tastingroom.kinds import Kind
from tastingroom.money import percent_to_ppm
from tastingroom.paths import resources_dir
from tastingroom.people.staff import Role, StaffMember, hash_pin
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.cart import Cart
from tastingroom.selling.sales import CommittedSale, Register
from tastingroom.selling.tenders import CARD_TYPES, TenderInput, TenderKind
from tastingroom.settings import save_settings
from tastingroom.store.database import Database
from tastingroom.store.models import (
    Club,
    ClubMembership,
    ContactType,
    Customer,
    Price,
    Product,
    Setting,
    ShippingAddress,
    Sku,
    Staff,
    Stock,
    TaxRate,
    new_id,
)

DEMO_SEED = 2026


class DemoError(RuntimeError):
    """The demo cannot be set up here (the message says why)."""


def demo_data() -> dict:
    with (resources_dir() / "demo" / "winery.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def is_empty(db: Database) -> bool:
    """Nothing at all yet: no catalog, no staff, no settings. A store set up with
    `tastingroom init` has settings, so the register never seeds the demo into it."""
    with db.read() as s:
        return not any(
            s.scalar(select(func.count()).select_from(table)) for table in (Product, Staff, Setting)
        )


def seed_demo(db: Database) -> None:
    """Fill an empty cache with the demo winery; refuses a cache that has data."""
    if not is_empty(db):
        raise DemoError(
            "This register already has a catalog or staff; the demo needs an empty one."
        )
    data = demo_data()
    store = data["store"]
    with db.write() as s:
        save_settings(
            s,
            store_name=store["store_name"],
            terminal_prefix=store["terminal_prefix"],
            website_code=store["website_code"],
            inventory_pool=store["inventory_pool"],
            pickup_location=store["pickup_location"],
            timezone=store["timezone"],
            tax_rate_ppm=percent_to_ppm(store["tax_rate_percent"]),
            visual_check_over_age=store.get("visual_check_over_age"),
            demo_mode=True,
            drawer_required=False,  # training sells at once; the Drawer screen is there
        )
        for state, pct in data["tax_rates_percent"].items():
            s.add(TaxRate(state=state, rate_ppm=percent_to_ppm(pct)))
        pool = store["inventory_pool"]
        dependents: list[Price | Stock] = []
        for p in data["products"]:
            product = Product(
                id=new_id(),
                title=p["title"],
                pos_title=p.get("pos_title"),
                kind=Kind(p["kind"]).value,
                category=p.get("category"),
                varietal=p.get("varietal"),
                vintage=p.get("vintage"),
            )
            s.add(product)
            base_id: str | None = None
            for k in p["skus"]:
                sku = Sku(
                    id=new_id(),
                    product_id=product.id,
                    code=k["code"],
                    barcode=k.get("barcode"),
                    unit_description=k.get("unit_description"),
                    non_taxable=k.get("non_taxable", False),
                    units=k.get("units", 1),
                    base_sku_id=base_id if k.get("units", 1) > 1 else None,
                )
                s.add(sku)
                if base_id is None:
                    base_id = sku.id
                for level, cents in k["prices"].items():
                    dependents.append(Price(sku_id=sku.id, price_level=level, price_cents=cents))
                if "stock" in k:
                    dependents.append(Stock(sku_id=sku.id, pool=pool, on_hand=k["stock"]))
        # SKUs refer to SKUs (packs), which hides their order from the unit of work:
        # write them first, then the rows that point at them.
        s.flush()
        s.add_all(dependents)
        clubs = []
        for c in data["clubs"]:
            club = Club(
                id=new_id(),
                name=c["name"],
                discount_ppm=percent_to_ppm(c["discount_percent"]),
                discount_kinds=",".join(c["kinds"]),
                waives_tasting_fee=c["waives_tasting_fee"],
            )
            s.add(club)
            clubs.append(club)
        for person in data["staff"]:
            s.add(
                Staff(
                    id=new_id(),
                    name=person["name"],
                    role=Role(person["role"]).value,
                    pin_hash=hash_pin(person["pin"]),
                )
            )
        _seed_customers(s, data, clubs, store["pickup_location"])


@dataclass(frozen=True)
class DemoPerson:
    """One of the demo winery's customers, the same on the register and in the simulator."""

    number: int
    first_name: str
    last_name: str
    email: str
    phone: str
    address: str
    city: str
    state: str
    zip_code: str
    birth_date: date
    non_taxable: bool
    price_level: str | None
    club_index: int | None
    """Index into the demo data's clubs, or None for no membership."""
    membership_status: str
    pickup_member: bool
    has_shipping_address: bool


def demo_people(data: dict) -> list[DemoPerson]:
    """The demo customers, generated from the name lists with a fixed seed."""
    spec = data["customers"]
    rng = random.Random(DEMO_SEED)
    people = []
    for number in range(1, spec["count"] + 1):
        first = rng.choice(spec["first_names"])
        last = rng.choice(spec["last_names"])
        city, state, zip_code = rng.choice(spec["cities"])
        handle = f"{first}.{last}".lower().replace("'", "")
        handle = unicodedata.normalize("NFKD", handle).encode("ascii", "ignore").decode()
        born = date(rng.randint(1948, 2003), rng.randint(1, 12), rng.randint(1, 28))
        phone = f"707555{rng.randint(0, 9999):04d}"
        address = f"{rng.randint(10, 9999)} {rng.choice(spec['streets'])}"
        member = rng.randrange(100) < spec["member_share_percent"]
        club_index = rng.randrange(len(data["clubs"])) if member else None
        status = ("Active" if rng.randrange(10) else "OnHold") if member else ""
        pickup = member and rng.randrange(3) == 0
        people.append(
            DemoPerson(
                number=number,
                first_name=first,
                last_name=last,
                email=f"{handle}{number}@example.com",
                phone=phone,
                address=address,
                city=city,
                state=state,
                zip_code=zip_code,
                birth_date=born,
                non_taxable=number % 67 == 0,
                price_level="Industry" if number % 41 == 0 else None,
                club_index=club_index,
                membership_status=status,
                pickup_member=pickup,
                has_shipping_address=number % 5 == 0,
            )
        )
    return people


def _seed_customers(s: Session, data: dict, clubs: list[Club], pickup: str) -> None:
    for person in demo_people(data):
        customer = Customer(
            id=new_id(),
            customer_number=f"C{10000 + person.number}",
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            phone=person.phone,
            address=person.address,
            city=person.city,
            state=person.state,
            zip_code=person.zip_code,
            birth_date=person.birth_date,
            non_taxable=person.non_taxable,
            price_level=person.price_level,
        )
        s.add(customer)
        s.add(ContactType(customer_id=customer.id, name="Customer"))
        if person.club_index is not None:
            s.add(ContactType(customer_id=customer.id, name="Club Member"))
            s.add(
                ClubMembership(
                    id=new_id(),
                    customer_id=customer.id,
                    club_id=clubs[person.club_index].id,
                    status=person.membership_status,
                    is_pickup=person.pickup_member,
                    pickup_location=pickup,
                )
            )
        if person.has_shipping_address:
            s.add(
                ShippingAddress(
                    id=new_id(),
                    customer_id=customer.id,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    address=person.address,
                    city=person.city,
                    state=person.state,
                    zip_code=person.zip_code,
                    is_default=True,
                )
            )


@dataclass
class DemoSaleMaker:
    """Builds realistic tasting-room sales: a flight or fee, a few bottles, sometimes a
    pack, a member now and then, paid by card, cash or both."""

    register: Register
    staff: StaffMember
    rng: random.Random

    def cart(self) -> Cart:
        items = self.register.catalog.items
        by_kind: dict[Kind, list] = {}
        for item in items:
            by_kind.setdefault(item.kind, []).append(item)
        cart = Cart(staff_id=self.staff.id)
        if self.rng.random() < 0.6:
            cart.add(self.rng.choice(by_kind[Kind.TASTING_FEE] + by_kind[Kind.TASTING_FLIGHT]))
        for _ in range(self.rng.randint(1, 3)):
            cart.add(self.rng.choice(by_kind[Kind.BOTTLE]), self.rng.choice((1, 1, 1, 2)))
        if self.rng.random() < 0.2:
            cart.add(self.rng.choice(by_kind[Kind.MERCHANDISE] + by_kind[Kind.FOOD]))
        return cart

    def tenders(self, total: int) -> list[TenderInput]:
        card = TenderInput(
            TenderKind.CARD,
            total,
            card_type=self.rng.choice(CARD_TYPES[:4]),
            card_last4=f"{self.rng.randint(0, 9999):04d}",
            approval_code=f"A{self.rng.randint(10000, 99999)}",
        )
        roll = self.rng.random()
        if roll < 0.6 or total < 200:
            return [card]
        if roll < 0.85:
            rounded_up = (total + 1999) // 2000 * 2000
            return [TenderInput(TenderKind.CASH, rounded_up)]
        cash = (total // 2) // 100 * 100
        return [
            TenderInput(TenderKind.CASH, cash),
            TenderInput(
                TenderKind.CARD,
                total - cash,
                card_type=card.card_type,
                card_last4=card.card_last4,
                approval_code=card.approval_code,
            ),
        ]

    def ring(self, customer_ids: list[str]) -> CommittedSale:
        cart = self.cart()
        if customer_ids and self.rng.random() < 0.3:
            self.register.attach_customer(cart, self.rng.choice(customer_ids))
        born = date(self.rng.randint(1950, 2000), self.rng.randint(1, 12), self.rng.randint(1, 28))
        check = check_birth_date(self.register.settings, self.staff.id, born)
        total = self.register.price(cart).total_cents
        return self.register.commit(cart, self.staff, self.tenders(total), check)


def ring_demo_sales(
    db: Database,
    count: int,
    *,
    seed: int | None = None,
    on_sale: Callable[[CommittedSale], None] | None = None,
) -> list[CommittedSale]:
    """Ring `count` demo sales through the register's commit path."""
    if count < 0:
        raise DemoError("The number of sales cannot be negative.")
    register = Register(db)
    with db.read() as s:
        cashier = s.scalar(select(Staff).where(Staff.active.is_(True)).order_by(Staff.role))
        customer_ids = list(s.scalars(select(Customer.id).limit(500)))
    if cashier is None or not len(register.catalog):
        raise DemoError("There is no catalog or staff to sell with; run `tastingroom init --demo`.")
    maker = DemoSaleMaker(
        register,
        StaffMember(cashier.id, cashier.name, Role(cashier.role)),
        random.Random(seed),
    )
    sales = []
    for _ in range(count):
        sale = maker.ring(customer_ids)
        sales.append(sale)
        if on_sale is not None:
            on_sale(sale)
    return sales
