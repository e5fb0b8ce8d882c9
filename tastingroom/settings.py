"""The store's settings: typed, with defaults, kept in the `setting` table.

Settings live in the database (not a config file) so that a backup carries them and
every screen and the sync thread see the same values. Credentials are never here:
they belong to the operating system's keyring.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field, fields

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tastingroom.entry import CEILING_CENTS, DEFAULT_LIMITS, Limits
from tastingroom.money import format_cents, percent_to_ppm, ppm_to_percent
from tastingroom.store.models import Setting, TaxRate


class SettingsError(ValueError):
    """A setting value that makes no sense (the message names it)."""


@dataclass(frozen=True)
class StoreSettings:
    store_name: str = "Tasting Room"
    terminal_prefix: str = "TR1"
    website_code: str = "TASTINGROOM"
    inventory_pool: str = "Tasting Room"
    pickup_location: str = "TASTINGROOM"
    timezone: str = "America/Los_Angeles"
    default_price_level: str = "Retail"
    tax_rate_ppm: int = 0
    """Sales tax where the store stands, for carry-out orders (parts per million)."""
    discount_limit_ppm: int = 150_000
    """Manual discounts above this share of a line or order need a manager's PIN."""
    case_threshold_bottles: int = 12
    case_discount_ppm: int = 100_000
    case_discount_kinds: tuple[str, ...] = ("bottle",)
    case_combines: str = "best"
    """How the mixed-case discount meets a club discount on one line: "best" gives the
    larger of the two, "stack" takes the case discount off the club price."""
    tasting_fee_waiver_bottles: int = 2
    """Every this many bottles bought waive one tasting fee (0: no waiver by purchase)."""
    club_waives_tasting_fee: bool = True
    minimum_age: int = 21
    age_restricted_kinds: tuple[str, ...] = (
        "bottle",
        "can",
        "glass_pour",
        "tasting_flight",
        "tasting_fee",
    )
    visual_check_over_age: int | None = None
    """When set (say 40), staff may record "visibly over N" instead of reading an ID."""
    demo_mode: bool = False
    """The demo winery: the register runs its own simulated WineDirect."""
    winedirect_url: str = "https://webservices.vin65.com"
    """WineDirect's endpoint root; a simulator's loopback address in demo and training."""
    printer_kind: str = "none"
    """none, network, usb, serial or file (see `tastingroom.devices.printer`)."""
    printer_address: str = ""
    """host:port, vendor:product (hex), a serial device, or a file path."""
    receipt_columns: int = 42
    """Characters on a receipt line: the paper's width (`RECEIPT_WIDTHS`)."""
    idle_lock_minutes: int = 5
    """The register locks after this long untouched (0: only when someone taps Lock)."""
    refund_max_age_days: int = 120
    """Orders older than this many days are refunded only with a manager's approval
    (WineDirect's own window: `winedirect.mapping.REFUND_MAX_AGE_DAYS`)."""
    lockout_attempts: int = 5
    lockout_minutes: int = 5
    max_line_cents: int = DEFAULT_LIMITS.line_cents
    """The most one cart line may come to, price times quantity ($10,000.00 unless set):
    a slip of the finger on the quantity or a price is refused, not rung up."""
    max_tender_cents: int = DEFAULT_LIMITS.tender_cents
    """The most one payment may be ($50,000.00 unless set)."""
    max_tip_cents: int = DEFAULT_LIMITS.tip_cents
    """The most a tip may be ($1,000.00 unless set)."""
    max_override_cents: int = DEFAULT_LIMITS.override_cents
    """The most a manager may set one item's price to ($10,000.00 unless set)."""
    max_shipping_cents: int = DEFAULT_LIMITS.shipping_cents
    """The most a shipping charge may be ($1,000.00 unless set)."""
    max_rows: int = 100
    """Records per page of every WineDirect search the sync engine makes (its MaxRows).
    A first pull of 20,000 web orders is 201 pages at 100. WineDirect's WSDL puts no bound
    on it and its documentation names no maximum (`winedirect.mapping.DEFAULT_MAX_ROWS`
    is marked UNKNOWN), so 100 is the default until a real account shows more is
    accepted; anything but a whole number of at least 1 is refused."""
    drawer_required: bool = True
    """Sales need an open cash drawer session (`tastingroom.drawer`): cash is never taken
    or given back without one, so every drawer balances at its Z. On unless a manager
    turns it off in Settings (the demo winery does, so that training can sell at once);
    while off, cash is still recorded in the session whenever one is open."""
    card_only_without_drawer: bool = False
    """With `drawer_required`: card and other non-cash sales may still be rung with no
    drawer open (a market stand without a drawer). Cash never is."""
    drawer_over_short_limit_cents: int = 500
    """Closing a drawer more than this over or short needs a reason ($5.00 unless set)."""
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.case_combines not in ("best", "stack"):
            raise SettingsError('case_combines must be "best" or "stack".')
        if not self.terminal_prefix or not self.terminal_prefix.replace("_", "").isalnum():
            raise SettingsError("The terminal prefix must be letters and digits, e.g. TR1.")
        if not 0 <= self.idle_lock_minutes <= 240:
            raise SettingsError("The idle lock is between 0 (never) and 240 minutes.")
        if isinstance(self.refund_max_age_days, bool) or not isinstance(
            self.refund_max_age_days, int
        ):
            raise SettingsError("The refund window must be a whole number of days.")
        if not 1 <= self.refund_max_age_days <= 3650:
            raise SettingsError("The refund window is between 1 and 3650 days.")
        if self.minimum_age < 0 or self.tax_rate_ppm < 0:
            raise SettingsError("Ages and tax rates cannot be negative.")
        if isinstance(self.max_rows, bool) or not isinstance(self.max_rows, int):
            raise SettingsError("WineDirect's page size (max_rows) must be a whole number.")
        if self.max_rows < 1:
            raise SettingsError("WineDirect's page size (max_rows) must be at least 1.")
        if self.receipt_columns not in RECEIPT_WIDTHS:
            raise SettingsError(
                "The receipt paper is 58 mm (32 characters) or 80 mm (42 or 48 characters)."
            )
        for name in ("drawer_required", "card_only_without_drawer"):
            if not isinstance(getattr(self, name), bool):
                raise SettingsError(f"{name} is on or off (true or false).")
        over_short = self.drawer_over_short_limit_cents
        if isinstance(over_short, bool) or not isinstance(over_short, int):
            raise SettingsError("The drawer's over/short limit must be whole cents.")
        if not 0 <= over_short <= CEILING_CENTS:
            raise SettingsError(
                f"The drawer's over/short limit must be between $0.00 and "
                f"{format_cents(CEILING_CENTS)}."
            )
        for name, label in LIMIT_SETTINGS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise SettingsError(f"{label} must be whole cents.")
            if not 1 <= value <= CEILING_CENTS:
                raise SettingsError(
                    f"{label} must be between $0.01 and {format_cents(CEILING_CENTS)}."
                )

    @property
    def limits(self) -> Limits:
        """The limits staff entries are checked against (see `tastingroom.entry`)."""
        return Limits(
            line_cents=self.max_line_cents,
            tender_cents=self.max_tender_cents,
            tip_cents=self.max_tip_cents,
            override_cents=self.max_override_cents,
            shipping_cents=self.max_shipping_cents,
        )


RECEIPT_WIDTHS = {
    32: "58 mm paper (32 characters a line)",
    42: "80 mm paper (42 characters a line)",
    48: "80 mm paper, small font (48 characters a line)",
}
"""The receipt widths a printer's paper and font give, and what the settings call them."""


LIMIT_SETTINGS = {
    "max_line_cents": "The largest line",
    "max_tender_cents": "The largest payment",
    "max_tip_cents": "The largest tip",
    "max_override_cents": "The highest price a manager may set",
    "max_shipping_cents": "The largest shipping charge",
}
"""The limits on amounts typed at the counter, and what a manager calls them."""


_FIELDS = {f.name: f for f in fields(StoreSettings) if f.name != "extra"}


def _encode(value: object) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value)


def _decode(name: str, raw: str) -> object:
    value = json.loads(raw)
    return tuple(value) if isinstance(value, list) else value


def load_settings(session: Session) -> StoreSettings:
    """The store's settings, defaults filled in for anything never set."""
    known: dict[str, object] = {}
    extra: dict[str, str] = {}
    for row in session.scalars(select(Setting)):
        if row.key in _FIELDS:
            known[row.key] = _decode(row.key, row.value)
        else:
            extra[row.key] = row.value
    return StoreSettings(**known, extra=extra)  # type: ignore[arg-type]


def save_settings(session: Session, **changes: object) -> StoreSettings:
    """Change some settings (validated together) inside the caller's transaction."""
    current = load_settings(session)
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise SettingsError(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
    updated = dataclasses.replace(current, **changes)  # type: ignore[arg-type]
    if updated.terminal_prefix != current.terminal_prefix:
        # Orders waiting to be sent were numbered with the old prefix, which WineDirect
        # has then never been checked for; changing it under them is a restore-style event
        # (`tastingroom.selling.numbering.start_new_series`), not a setting. Imported here: the
        # numbering module builds on settings.
        from tastingroom.selling.numbering import unsent_orders

        waiting = unsent_orders(session)
        if waiting:
            raise SettingsError(
                f"The terminal prefix cannot change while {waiting} order(s) are waiting "
                "to reach WineDirect; sync first."
            )
    for name in changes:
        session.merge(Setting(key=name, value=_encode(getattr(updated, name))))
    return updated


def tax_rates(session: Session) -> dict[str, int]:
    """Sales tax by destination state, for shipped orders (the store's rate elsewhere)."""
    return {state: rate for state, rate in session.execute(select(TaxRate.state, TaxRate.rate_ppm))}


def save_tax_rates(session: Session, rates: dict[str, int]) -> None:
    """Replace the destination tax rates (inside the caller's transaction)."""
    for state, rate in rates.items():
        if len(state) != 2 or not state.isalpha() or not state.isupper():
            raise SettingsError(f"“{state}” is not a two-letter state code.")
        if not 0 <= rate < 1_000_000:
            raise SettingsError(f"The tax rate for {state} must be between 0% and 100%.")
    session.execute(delete(TaxRate))
    session.add_all(TaxRate(state=state, rate_ppm=rate) for state, rate in rates.items())


def format_tax_rates(rates: dict[str, int]) -> str:
    """Destination rates as staff read and type them: "CA 7.25, OR 0, TX 6.25"."""
    return ", ".join(f"{state} {ppm_to_percent(rates[state]):f}" for state in sorted(rates))


def parse_tax_rates(text: str) -> dict[str, int]:
    """The inverse of `format_tax_rates`; commas or new lines between states, "%" allowed."""
    rates: dict[str, int] = {}
    for part in text.replace("\n", ",").replace(";", ",").split(","):
        if not part.strip():
            continue
        state, _, percent = part.strip().partition(" ")
        percent = percent.strip().rstrip("%").strip()
        try:
            rate = percent_to_ppm(percent)
        except (ArithmeticError, ValueError) as exc:
            raise SettingsError(
                f"“{part.strip()}” should be a state and a rate, e.g. CA 7.25."
            ) from exc
        if state.upper() in rates:
            raise SettingsError(f"{state.upper()} is listed twice.")
        rates[state.upper()] = rate
    return rates
