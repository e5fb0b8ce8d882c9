"""The cash drawer: counts by denomination, sessions, their movements, X and Z.

`sessions` holds the rules (read its docstring first); `counts` the US bills and coins.
"""

from __future__ import annotations

from tastingroom.drawer.counts import (
    DENOMINATIONS,
    CountRefused,
    Denomination,
    DrawerCount,
)
from tastingroom.drawer.sessions import (
    STAFF_MOVEMENTS,
    DrawerError,
    DrawerSessionInfo,
    MovementInfo,
    MovementKind,
    NoDrawerSession,
    SaleDrawer,
    XReport,
    ZReport,
    carried_float,
    close_refusal,
    close_session,
    current_session,
    drawer_refusal,
    drop,
    expected_cash,
    movements,
    no_sale,
    open_session,
    paid_in,
    paid_out,
    record,
    x_report,
    z_report,
)

__all__ = [
    "DENOMINATIONS",
    "STAFF_MOVEMENTS",
    "CountRefused",
    "Denomination",
    "DrawerCount",
    "DrawerError",
    "DrawerSessionInfo",
    "MovementInfo",
    "MovementKind",
    "NoDrawerSession",
    "SaleDrawer",
    "XReport",
    "ZReport",
    "carried_float",
    "close_refusal",
    "close_session",
    "current_session",
    "drawer_refusal",
    "drop",
    "expected_cash",
    "movements",
    "no_sale",
    "open_session",
    "paid_in",
    "paid_out",
    "record",
    "x_report",
    "z_report",
]
