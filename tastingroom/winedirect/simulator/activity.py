"""Web activity: the world moving on while the register runs.

At a steady rate (events a minute) customers order on the website, some of them for
pickup at this tasting room, and WineDirect's fulfilment ships waiting orders with
tracking numbers, so that a running register sees pickups arrive and tracking appear.
"""

from __future__ import annotations

import threading

from tastingroom.winedirect.simulator.state import SimState


def _awaiting_shipment(order: dict) -> bool:
    return (
        not order["IsAPickupOrder"]
        and order["ShippingStatus"] in ("Not Shipped", "Sent to Fulfillment")
        and order["OrderStatus"] != "Cancelled"
    )


def step(state: SimState) -> str:
    """One event; returns what happened, for the simulator's console."""
    roll = state.rng.random()
    with state.lock:
        waiting = [o for o in state.orders.values() if _awaiting_shipment(o)]
        if roll < 0.35 and waiting:
            order = state.ship_order(state.rng.choice(waiting)["OrderID"])
            who = order["AltOrderNumber"] or int(order["OrderNumber"])
            return f"shipped order {who} ({order['TrackingNumber']})"
        pickup = roll < 0.7
        order = state.create_web_order(pickup=pickup)
        kind = "pickup order" if pickup else "web order"
        return f"new {kind} {int(order['OrderNumber'])}"


class WebActivity:
    """Runs `step` `per_minute` times a minute on a background thread until stopped."""

    def __init__(self, state: SimState, per_minute: float, report=print) -> None:
        if per_minute <= 0:
            raise ValueError("web activity is a number of events a minute, above zero")
        self.state = state
        self.interval = 60.0 / per_minute
        self.report = report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wd-web-activity", daemon=True)

    def start(self) -> WebActivity:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.report(step(self.state))
