"""What staff type and scan (`tastingroom.entry`): each hostile input the issue found
accepted, or refused only by accident, is now refused with a typed error that names the
field and says why, or cleaned to a stated shape; and the sale commit guards again."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tastingroom import entry
from tastingroom.entry import CARD_NUMBER_MESSAGE, EntryRefused
from tastingroom.fulfilment.pickups import pickups
from tastingroom.people.customers import CustomerError, NewCustomer, add_customer, search
from tastingroom.people.staff import Role, add_staff
from tastingroom.selling.age import AgeCheckError, check_birth_date
from tastingroom.selling.cart import Cart, CartError, ShipTo
from tastingroom.selling.orders import list_orders
from tastingroom.selling.pricing import Discount, PricingError
from tastingroom.selling.sales import Register, SaleRefused
from tastingroom.selling.tenders import TenderError, TenderInput, TenderKind, settle
from tastingroom.settings import SettingsError, StoreSettings, save_settings
from tastingroom.store.database import Database
from tastingroom.store.models import Customer, Order, Tender

VISA = "4111111111111111"
NOW = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)


def adult(register: Register, staff_id: str):
    return check_birth_date(register.settings, staff_id, date(1980, 4, 2))


def orders(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Order))


def wine_cart(register: Register, staff_id: str) -> Cart:
    cart = register.new_cart(staff_id)
    cart.add(register.catalog.by_barcode("PN22"))
    return cart


# --- money: whole cents, within the store's limits ------------------------------------------


@pytest.mark.parametrize("amount", [math.inf, -math.inf, math.nan, 12.5, 1250.0, True, "1250"])
def test_a_payment_that_is_not_whole_cents_is_refused_by_name(amount):
    with pytest.raises(TenderError, match="A payment must be whole cents") as refused:
        TenderInput(TenderKind.CASH, amount)
    assert refused.value.field == "amount"


def test_a_cash_tender_of_infinity_is_never_committed(register: Register, cashier, demo_db):
    cart = wine_cart(register, cashier.id)
    with pytest.raises(TenderError):
        register.commit(
            cart, cashier, [TenderInput(TenderKind.CASH, math.inf)], adult(register, cashier.id)
        )
    assert orders(demo_db) == 0


def test_a_payment_above_the_store_limit_is_refused(register: Register, cashier, demo_db):
    cart = wine_cart(register, cashier.id)
    huge = TenderInput(TenderKind.CASH, 5_000_001)
    with pytest.raises(TenderError, match=r"more than \$50,000.00 \(store limit\)"):
        register.commit(cart, cashier, [huge], adult(register, cashier.id))
    with pytest.raises(TenderError, match=r"\$50,000.00 \(store limit\)"):
        settle(100, [huge])
    assert orders(demo_db) == 0


def test_a_price_override_of_ten_to_the_seventeen_cents_is_refused(register: Register, cashier):
    cart = wine_cart(register, cashier.id)
    with pytest.raises(CartError, match=r"A price cannot be more than \$10,000.00") as refused:
        cart.override_price(0, 10**17, None)
    assert refused.value.field == "override" and cart.lines[0].override_cents is None
    with pytest.raises(CartError, match="whole cents"):
        cart.override_price(0, 12.5, None)


def test_a_tip_of_ten_to_the_fifteen_cents_is_refused(register: Register, cashier):
    cart = wine_cart(register, cashier.id)
    with pytest.raises(CartError) as refused:
        cart.set_tip(10**15)
    assert str(refused.value) == "A tip cannot be more than $1,000.00 (store limit)."
    assert refused.value.field == "tip" and cart.tip_cents == 0
    for bad in (math.nan, math.inf, 5.0, False, -1):
        with pytest.raises(CartError):
            cart.set_tip(bad)
    assert cart.tip_cents == 0


def test_float_and_nan_cents_are_refused_with_a_message_not_by_accident(
    register: Register, cashier
):
    with pytest.raises(PricingError, match="A discount must be whole cents"):
        Discount("event", amount_cents=math.nan)
    with pytest.raises(PricingError, match="whole parts per million"):
        Discount("event", rate_ppm=0.5)
    with pytest.raises(CartError, match="A shipping charge must be whole cents"):
        ShipTo("Ana", "Silva", "1 Pike St", "Seattle", "WA", "98101", math.nan)
    cart = wine_cart(register, cashier.id)
    with pytest.raises(CartError, match="quantity must be a whole number"):
        cart.add(register.catalog.by_barcode("PN22"), 1.0)


def test_a_line_above_the_store_limit_is_refused_and_changes_nothing(register: Register, cashier):
    cart = wine_cart(register, cashier.id)  # one $48 bottle
    with pytest.raises(CartError, match=r"a line cannot be more than \$10,000.00") as refused:
        cart.set_quantity(0, 999)
    assert refused.value.field == "line" and cart.lines[0].quantity == 1
    with pytest.raises(CartError, match="store limit"):
        cart.add(register.catalog.by_barcode("PN22"), 500)
    assert cart.lines[0].quantity == 1


def test_the_store_sets_its_own_limits(register: Register, cashier, demo_db: Database):
    with demo_db.write() as s:
        save_settings(s, max_tip_cents=50_00, max_override_cents=200_00)
    register.reload_settings()
    cart = register.new_cart(cashier.id)
    cart.add(register.catalog.by_barcode("PN22"))
    with pytest.raises(CartError, match=r"A tip cannot be more than \$50.00 \(store limit\)"):
        cart.set_tip(50_01)
    cart.set_tip(50_00)
    with pytest.raises(CartError, match=r"\$200.00"):
        cart.override_price(0, 200_01, None)


@pytest.mark.parametrize("value", [0, -5, 1.5, True, entry.CEILING_CENTS + 1])
def test_a_limit_is_whole_cents_above_zero(value):
    with pytest.raises(SettingsError, match="The largest tip"):
        StoreSettings(max_tip_cents=value)


def test_defaults_are_stated(register: Register):
    limits = StoreSettings().limits
    assert (limits.line_cents, limits.tender_cents, limits.tip_cents) == (
        10_000_00,
        50_000_00,
        1_000_00,
    )
    assert (limits.override_cents, limits.shipping_cents) == (10_000_00, 1_000_00)
    assert register.limits == limits


# --- the sale commit: the last guard ----------------------------------------------------


def test_commit_refuses_amounts_changed_around_the_cart(register: Register, cashier, demo_db):
    check = adult(register, cashier.id)
    cart = wine_cart(register, cashier.id)
    cart.tip_cents = math.inf  # around `set_tip`
    with pytest.raises(SaleRefused, match="A tip must be whole cents") as refused:
        register.commit(cart, cashier, [TenderInput(TenderKind.CASH, 10_000)], check)
    assert refused.value.field == "tip"

    cart = wine_cart(register, cashier.id)
    cart.lines[0].override_cents = 10**17  # around `override_price`
    with pytest.raises(SaleRefused, match=r"A price cannot be more than \$10,000.00"):
        register.commit(cart, cashier, [TenderInput(TenderKind.CASH, 10_000)], check)

    cart = wine_cart(register, cashier.id)
    cart.lines[0].quantity = 999  # around `set_quantity`
    with pytest.raises(SaleRefused, match=r"a line cannot be more than \$10,000.00"):
        register.commit(cart, cashier, [TenderInput(TenderKind.CASH, 10**8)], check)
    assert orders(demo_db) == 0


def test_commit_checks_against_the_store_limits_of_now(register: Register, cashier, demo_db):
    cart = wine_cart(register, cashier.id)
    cart.set_tip(500_00)  # within the default limit when it was typed
    with demo_db.write() as s:
        save_settings(s, max_tip_cents=100_00)
    register.reload_settings()
    total = register.price(cart).total_cents
    with pytest.raises(SaleRefused, match=r"\$100.00 \(store limit\)"):
        register.commit(
            cart, cashier, [TenderInput(TenderKind.CASH, total)], adult(register, cashier.id)
        )
    assert orders(demo_db) == 0


# --- dates of birth -------------------------------------------------------------------------


def test_a_date_of_birth_226_years_ago_is_a_typo(register: Register, cashier):
    with pytest.raises(AgeCheckError, match="more than 120 years ago") as refused:
        check_birth_date(register.settings, cashier.id, date(1800, 3, 14), now=NOW)
    assert refused.value.field == "birth_date"
    oldest = check_birth_date(register.settings, cashier.id, date(1906, 3, 14), now=NOW)
    assert oldest.passed and oldest.age_years == 120
    with pytest.raises(AgeCheckError, match="120 years"):
        check_birth_date(register.settings, cashier.id, date(1906, 3, 13), now=NOW)


def test_a_date_of_birth_in_the_future_is_refused(register: Register, cashier):
    with pytest.raises(AgeCheckError, match="in the future") as refused:
        check_birth_date(register.settings, cashier.id, date(2030, 1, 1), now=NOW)
    assert refused.value.field == "birth_date"


# --- text: control characters, lengths, card numbers -------------------------------------


@pytest.mark.parametrize(
    "char", ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\ud800", "\ufffe", "\u202e"]
)
def test_control_and_xml_forbidden_characters_in_a_name_are_refused(char):
    with pytest.raises(CustomerError, match=r"cannot be printed or sent \(U\+") as refused:
        NewCustomer(f"Ann{char}e", "Guest")
    assert refused.value.field == "first_name"


def test_tabs_and_line_breaks_in_a_single_line_field_collapse_to_a_space():
    new = NewCustomer("  Ann\t\tMarie ", "Guest\r\nSmith", "ann@example.com", "707\n555 0101")
    assert (new.first_name, new.last_name, new.phone) == (
        "Ann Marie",
        "Guest Smith",
        "707 555 0101",
    )
    assert ShipTo("A", "B", "1 Main\nSt", "Boise", "ID", "83702", 0).address == "1 Main St"


def test_a_ten_thousand_character_name_is_cut_to_its_stated_length(demo_db: Database):
    new = NewCustomer("A" * 10_000, "B" * 10_000, "a@example.com")
    assert len(new.first_name) == entry.FIRST_NAME.max_length == 50
    customer_id = add_customer(demo_db, new)
    with demo_db.read() as s:
        assert len(s.get(Customer, customer_id).last_name) == entry.LAST_NAME.max_length


def test_no_text_length_exceeds_its_database_column():
    columns = {
        entry.FIRST_NAME: Customer.__table__.c.first_name,
        entry.LAST_NAME: Customer.__table__.c.last_name,
        entry.EMAIL: Customer.__table__.c.email,
        entry.PHONE: Customer.__table__.c.phone,
        entry.ADDRESS: Order.__table__.c.ship_address,
        entry.ADDRESS2: Order.__table__.c.ship_address2,
        entry.CITY: Order.__table__.c.ship_city,
        entry.STATE: Order.__table__.c.ship_state,
        entry.ZIP_CODE: Order.__table__.c.ship_zip,
        entry.DISCOUNT_REASON: Order.__table__.c.order_discount_reason,
        entry.GIFT_CARD_CODE: Tender.__table__.c.gift_card_code,
        entry.CHECK_NUMBER: Tender.__table__.c.check_number,
        entry.ACCOUNT: Tender.__table__.c.account,
        entry.TENDER_REASON: Tender.__table__.c.reason,
    }
    for rule, column in columns.items():
        assert rule.max_length <= column.type.length, rule.field
    assert entry.STAFF_NAME.max_length <= 80


def test_a_card_number_in_a_discount_reason_is_refused():
    with pytest.raises(PricingError) as refused:
        Discount(f"comp for card {VISA}", rate_ppm=100_000)
    assert str(refused.value) == CARD_NUMBER_MESSAGE
    assert refused.value.field == "reason"


def test_a_gift_card_code_written_as_a_card_number_is_refused():
    with pytest.raises(TenderError, match="card numbers are never stored") as refused:
        TenderInput(TenderKind.GIFT_CARD, 100, gift_card_code="4111.1111.1111.1111")
    assert refused.value.field == "gift_card_code"
    assert TenderInput(TenderKind.GIFT_CARD, 100, gift_card_code="GC-2024-0042").gift_card_code


def test_a_card_number_in_a_customer_field_is_refused(demo_db: Database):
    with pytest.raises(CustomerError, match="card number") as refused:
        NewCustomer("Ann", "Guest", phone="4111-1111-1111-1111")
    assert refused.value.field == "phone"
    with pytest.raises(CustomerError, match="card number"):
        NewCustomer(f"Ann {VISA}", "Guest")
    with pytest.raises(CustomerError, match="card number"):
        NewCustomer("Ann", "Guest", email=f"{VISA}@example.com")
    with pytest.raises(CartError, match="card number"):
        ShipTo("A", "B", f"{VISA} Main St", "Boise", "ID", "83702", 0)


def test_tender_notes_and_staff_names_refuse_card_numbers_too(db: Database):
    with pytest.raises(TenderError, match="card number"):
        TenderInput(TenderKind.CASH, 100, reason=f"paid with {VISA[:8]} {VISA[8:]}")
    with pytest.raises(TenderError, match="card number"):
        TenderInput(TenderKind.HOUSE_ACCOUNT, 100, account=VISA)
    with pytest.raises(EntryRefused, match="card number"):
        add_staff(db, f"Jo {VISA}", Role.CASHIER, "908172")
    with pytest.raises(EntryRefused, match="cannot be printed"):
        add_staff(db, "Jo\x1b[2J", Role.CASHIER, "908172")
    assert add_staff(db, "Jo " + "x" * 100, Role.CASHIER, "908172").name == "Jo " + "x" * 37


@pytest.mark.parametrize(
    "typed",
    [
        VISA,
        "4111 1111 1111 1111",
        "4111.1111.1111.1111",
        "4111-1111-1111-1111",
        "4111 - 1111 - 1111 - 1111",
        "card:4111111111111111.",
        "4111 1111 1111 1111 12 27",  # followed by the expiry date
        "378282246310005",  # American Express, 15 digits
        "6011 0009 9013 9424",  # Discover
        "４１１１１１１１１１１１１１１１",  # fullwidth digits
    ],
)
def test_card_numbers_are_found_however_they_are_written(typed):
    assert entry.contains_card_number(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "4111 1111 1111 1112",  # fails the Luhn check
        "707-555-0101",
        "+1 (707) 555-0101",
        "411111111111",  # 12 digits
        "Order TR1-000123",
        "12345678901234567890123",  # 23 digits in one run
    ],
)
def test_other_numbers_are_not_card_numbers(typed):
    assert not entry.contains_card_number(typed)


# --- typed dollars ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cents"), [("12.50", 1250), ("$1,234.5", 123_450), (".5", 50), ("7", 700)]
)
def test_dollars_as_staff_type_them(typed, cents):
    assert entry.dollars(typed, entry.TIP) == cents


@pytest.mark.parametrize("typed", ["nan", "inf", "Infinity", "1e3", "12.345", "-5", "", "1.2.3"])
def test_dollars_that_are_not_dollars_and_cents_are_refused(typed):
    with pytest.raises(EntryRefused, match="is not a tip in dollars and cents") as refused:
        entry.dollars(typed, entry.TIP)
    assert refused.value.field == "tip"


# --- searches: % and _ are literal ---------------------------------------------------------


def _names(db: Database) -> list[Customer]:
    with db.read() as s:
        return list(s.scalars(select(Customer)))


def test_percent_and_underscore_in_customer_search_match_only_themselves(demo_db: Database):
    assert len(_names(demo_db)) > 30
    add_customer(demo_db, NewCustomer("100%", "Grape", "grape_fan@example.com"))
    with demo_db.read() as s:
        assert [c.name for c in search(s, "%")] == ["100% Grape"]
        underscored = {c.id for c in _names(demo_db) if "_" in f"{c.name} {c.email}"}
        assert {c.id for c in search(s, "_")} == underscored
        assert search(s, "%%%") == [] and search(s, "\\") == []


def _web_pickup(db: Database, register: Register) -> None:
    with db.write() as s:
        guest = s.scalars(select(Customer).limit(1)).one()
        s.add(
            Order(
                number="10021",
                source="web",
                customer_id=guest.id,
                pickup_location=register.settings.pickup_location,
            )
        )


def test_percent_and_underscore_in_pickup_and_order_search_match_only_themselves(
    register: Register, cashier, demo_db: Database
):
    _web_pickup(demo_db, register)
    cart = wine_cart(register, cashier.id)
    total = register.price(cart).total_cents
    register.commit(
        cart, cashier, [TenderInput(TenderKind.CASH, total)], adult(register, cashier.id)
    )
    assert len(pickups(demo_db)) == 1 and len(list_orders(demo_db)) == 2
    for query in ("%", "_", "%_%"):
        assert pickups(demo_db, query, include_done=True) == []
        assert list_orders(demo_db, query) == []
    assert len(pickups(demo_db, "1002")) == 1 and len(list_orders(demo_db, "TR1-0")) == 1


def test_a_search_never_fails_on_what_no_field_may_hold(demo_db: Database):
    for query in ("\ud800", "\x00%", "a" * 10_000, "\u202e_"):
        with demo_db.read() as s:
            search(s, query)
        pickups(demo_db, query)
        list_orders(demo_db, query)
