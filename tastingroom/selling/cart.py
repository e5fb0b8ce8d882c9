"""The cart: what is being rung up, held in memory until it is paid.

A cart holds choices, never money: items, quantities, who the customer is, discounts
with their reasons and approvals, how the order leaves the shop. `pricing` turns it
into numbers each time it is shown. Privileged changes (voiding a line, overriding a
price) need a manager's `Approval` at the moment they are made; discounts are checked
against the store's limit when priced and again at commit (see `sales`).

What staff type passes `tastingroom.entry`'s rules on the way in: amounts are whole
cents within the store's limits (`Cart.limits`; `Register.new_cart` gives the store's
own), addresses are clean text of a stated length. A refused change changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tastingroom import entry
from tastingroom.catalog.index import Item
from tastingroom.entry import DEFAULT_LIMITS, EntryRefused, Limits, refused_as
from tastingroom.money import format_cents
from tastingroom.people.staff import Action, Approval, require
from tastingroom.selling.pricing import ClubTerms, Discount, LineInput, PricingError

MAX_QUANTITY = 999


class CartError(EntryRefused):
    """A change the cart refuses (the message says why)."""


@dataclass(frozen=True)
class CustomerInfo:
    """What the register needs to know about an attached customer."""

    id: str
    name: str
    price_level: str | None = None
    tax_exempt: bool = False
    clubs: tuple[ClubTerms, ...] = ()
    email: str | None = None


@dataclass(frozen=True)
class ShipTo:
    """A shipped order's destination; WineDirect fulfils it and sends back tracking.

    Each part is cleaned by its `entry` rule as the destination is made (typed, or read
    from the customer's record), so what is shipped to is what is stored and sent."""

    first_name: str
    last_name: str
    address: str
    city: str
    state: str
    zip_code: str
    shipping_cents: int
    address2: str | None = None

    def __post_init__(self) -> None:
        with refused_as(CartError):
            for name, rule in _SHIP_TO_RULES:
                object.__setattr__(self, name, entry.text(getattr(self, name), rule))
            object.__setattr__(self, "address2", entry.optional_text(self.address2, entry.ADDRESS2))
            entry.cents(self.shipping_cents, entry.SHIPPING)
        missing = [
            label
            for label, value in (
                ("name", self.last_name),
                ("street address", self.address),
                ("city", self.city),
                ("state", self.state),
                ("ZIP code", self.zip_code),
            )
            if not value.strip()
        ]
        if missing:
            raise CartError(f"The shipping address needs a {', '.join(missing)}.")


_SHIP_TO_RULES = (
    ("first_name", entry.FIRST_NAME),
    ("last_name", entry.LAST_NAME),
    ("address", entry.ADDRESS),
    ("city", entry.CITY),
    ("state", entry.STATE),
    ("zip_code", entry.ZIP_CODE),
)


@dataclass
class CartLine:
    item: Item
    quantity: int
    override_cents: int | None = None
    override_approval: Approval | None = None
    discount: Discount | None = None
    discount_approval: Approval | None = None

    def pricing_input(self) -> LineInput:
        base = self.item.line(self.quantity)
        return LineInput(
            sku_code=base.sku_code,
            name=base.name,
            kind=base.kind,
            quantity=self.quantity,
            units=base.units,
            prices=base.prices,
            taxable=base.taxable,
            override_cents=self.override_cents,
            discount=self.discount,
        )

    def unit_cents(self) -> int:
        """The most one item on this line can cost: its override, or its dearest price."""
        return dearest_price(self.item) if self.override_cents is None else self.override_cents


def check_quantity(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise CartError("The quantity must be a whole number.")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise CartError(f"The quantity must be between 1 and {MAX_QUANTITY}.")
    return quantity


def dearest_price(item: Item) -> int:
    """The most `item` costs at any of its price levels: what a line is checked against
    before pricing knows the customer's level."""
    return max((price for price, _ in item.prices.values()), default=0)


@dataclass
class Cart:
    staff_id: str
    lines: list[CartLine] = field(default_factory=list)
    customer: CustomerInfo | None = None
    order_discount: Discount | None = None
    order_discount_approval: Approval | None = None
    ship_to: ShipTo | None = None
    tip_cents: int = 0
    limits: Limits = DEFAULT_LIMITS
    """The store's limits on what is typed (`Register.new_cart` sets the store's own)."""
    tab_id: str | None = None
    """The open tab this cart is (`tastingroom.selling.tabs`): holding the cart again
    updates that tab, and paying it closes the tab in the sale's own transaction."""
    earlier_staff: tuple[str, ...] = ()
    """Who rang this cart before it was handed over (`hand_over`): the managers'
    approvals they asked for, already on the cart, stay valid for whoever finishes it."""

    def hand_over(self, staff_id: str) -> None:
        """The cart carries on under `staff_id` (a tab closed by another cashier, a quick
        switch of who is signed in). Approvals already given stay with their lines; any new
        one is asked for by the new hand."""
        if staff_id == self.staff_id:
            return
        if self.staff_id and self.staff_id not in self.earlier_staff:
            self.earlier_staff = (*self.earlier_staff, self.staff_id)
        self.staff_id = staff_id

    def asked_for(self, approval: Approval | None) -> str:
        """Who `approval` must have been asked for, to be valid on this cart: whoever
        asked for it, when they rang this cart before it was handed over; otherwise
        the cart's staff member now."""
        if approval is not None and approval.requested_by in self.earlier_staff:
            return approval.requested_by
        return self.staff_id

    def _check_line(self, unit_cents: int, quantity: int) -> None:
        """A line may not come to more than the store's line limit."""
        limit = self.limits.line_cents
        if unit_cents * quantity > limit:
            raise CartError(
                f"{quantity} at {format_cents(unit_cents)} comes to "
                f"{format_cents(unit_cents * quantity)}: a line cannot be more than "
                f"{format_cents(limit)} (store limit).",
                entry.LINE.field,
            )

    def add(self, item: Item, quantity: int = 1) -> CartLine:
        """Add an item; a plain line of the same SKU grows instead of repeating."""
        check_quantity(quantity)
        for line in self.lines:
            if (
                line.item.sku_id == item.sku_id
                and line.override_cents is None
                and not line.discount
            ):
                grown = check_quantity(line.quantity + quantity)
                self._check_line(dearest_price(item), grown)
                line.quantity = grown
                return line
        self._check_line(dearest_price(item), quantity)
        line = CartLine(item, quantity)
        self.lines.append(line)
        return line

    def _line(self, index: int) -> CartLine:
        if not 0 <= index < len(self.lines):
            raise CartError("That line is no longer in the cart.")
        return self.lines[index]

    def set_quantity(self, index: int, quantity: int, approval: Approval | None = None) -> None:
        """More is always allowed; fewer is a partial void and needs a manager."""
        line = self._line(index)
        check_quantity(quantity)
        if quantity > line.quantity:
            self._check_line(line.unit_cents(), quantity)
        if quantity < line.quantity:
            require(approval, Action.VOID_LINE, self.staff_id)
        line.quantity = quantity

    def set_pack(self, index: int, item: Item, approval: Approval | None = None) -> None:
        """Sell the line as another pack of the same wine (bottle, 6-pack, case), keeping
        its quantity and discount. Fewer bottles than before is a partial void and needs a
        manager. A price override was for the old pack, so it is dropped."""
        line = self._line(index)
        if item.base_sku_id != line.item.base_sku_id:
            raise CartError(f"{item.name} is not a pack of {line.item.name}.")
        self._check_line(dearest_price(item), line.quantity)
        if item.units < line.item.units:
            require(approval, Action.VOID_LINE, self.staff_id)
        line.item = item
        line.override_cents = None
        line.override_approval = None

    def void_line(self, index: int, approval: Approval | None) -> None:
        self._line(index)
        require(approval, Action.VOID_LINE, self.staff_id)
        del self.lines[index]

    def override_price(self, index: int, cents: int, approval: Approval | None) -> None:
        line = self._line(index)
        with refused_as(CartError):
            entry.cents(cents, entry.OVERRIDE, self.limits.override_cents)
        self._check_line(cents, line.quantity)
        require(approval, Action.PRICE_OVERRIDE, self.staff_id)
        line.override_cents = cents
        line.override_approval = approval

    def clear_override(self, index: int) -> None:
        """Back to the list price (never more than a manager allowed: no approval)."""
        line = self._line(index)
        line.override_cents = None
        line.override_approval = None

    def set_line_discount(
        self, index: int, discount: Discount | None, approval: Approval | None = None
    ) -> None:
        line = self._line(index)
        line.discount = discount
        line.discount_approval = approval if discount else None

    def set_order_discount(
        self, discount: Discount | None, approval: Approval | None = None
    ) -> None:
        self.order_discount = discount
        self.order_discount_approval = approval if discount else None

    def set_tip(self, cents: int) -> None:
        with refused_as(CartError):
            self.tip_cents = entry.cents(cents, entry.TIP, self.limits.tip_cents)

    def pricing_inputs(self) -> list[LineInput]:
        if not self.lines:
            raise PricingError("The cart is empty.")
        return [line.pricing_input() for line in self.lines]

    @property
    def kinds(self) -> set[str]:
        return {line.item.kind.value for line in self.lines}
