"""`tastingroom winedirect check`: is this register's WineDirect connection working?

One read-only call per service (MaxRows=1) with the configured login, each reported as
working or not, and why not in plain words. Nothing is written to WineDirect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.errors import WineDirectError


@dataclass(frozen=True)
class CheckResult:
    service: str
    ok: bool
    detail: str


CHECKS: tuple[tuple[str, Callable[[WineDirectClient], object]], ...] = (
    ("ContactService V300", lambda c: c.search_contacts(max_rows=1)),
    ("ProductService V300", lambda c: c.search_products(max_rows=1)),
    ("InventoryService V300", lambda c: c.search_inventory(max_rows=1)),
    ("OrderService V301", lambda c: c.search_orders(max_rows=1)),
    ("ClubMembershipService V300", lambda c: c.search_clubs(max_rows=1)),
)


def run_checks(client: WineDirectClient) -> list[CheckResult]:
    results = []
    for service, call in CHECKS:
        try:
            page = call(client)
        except WineDirectError as exc:
            results.append(CheckResult(service, False, str(exc)))
            continue
        count = getattr(page, "record_count", 0)
        results.append(CheckResult(service, True, f"working ({count} records)"))
    return results


def render(base_url: str, results: list[CheckResult]) -> str:
    lines = [f"WineDirect at {base_url}:"]
    for r in results:
        lines.append(f"  {'OK ' if r.ok else 'FAIL'}  {r.service}: {r.detail}")
    failed = sum(not r.ok for r in results)
    lines.append("All services answered." if not failed else f"{failed} service(s) failed.")
    return "\n".join(lines)
