"""Sets up a store the way the first-run assistant does, and stops dead at a chosen point,
printing its name: `test_store_setup.py` kills this process there with SIGKILL.

    python setup_child.py FOLDER POINT     (POINT: init, owner or login)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tastingroom import store_setup
from tastingroom.winedirect.credentials import Credentials

SETUP = store_setup.StoreSetup(
    store_name="Cedar Ridge",
    timezone="America/Los_Angeles",
    owner_name="Dana Cruz",
    owner_pin="4821",
    winedirect_url="https://webservices.vin65.com",
    credentials=Credentials("cedar-pos", "s3cret"),
    website_code="CEDAR",
    pickup_location="CEDARROOM",
    inventory_pool="Tasting Room",
    terminal_prefix="TK7M3",
    tax_rate_ppm=86_250,
)


def stop_here(point: str) -> None:
    print(point, flush=True)
    time.sleep(3600)


def main(folder: str, point: str) -> None:
    for name in ("init_store", "add_person"):
        real = getattr(store_setup, name)

        def paused(*args, _real=real, _name=name, **kwargs):
            done = _real(*args, **kwargs)
            if point == {"init_store": "init", "add_person": "owner"}[_name]:
                stop_here(point)
            return done

        setattr(store_setup, name, paused)

    def save_login(credentials: Credentials) -> None:
        if point == "login":
            stop_here(point)

    store_setup.set_up_store(Path(folder), SETUP, save_login=save_login)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
