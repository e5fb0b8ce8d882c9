from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tastingroom.demo.winery import DemoError, seed_demo
from tastingroom.kinds import Kind
from tastingroom.store.database import Database
from tastingroom.store.models import Club, ClubMembership, Customer, Sku, TaxRate


def test_the_demo_winery_is_believable(demo_db: Database, register):
    items = register.catalog.items
    assert len(items) >= 40
    kinds = {i.kind for i in items}
    assert kinds == set(Kind)
    assert {12, 6, 3} <= {i.units for i in items}
    names = " ".join(i.name for i in items)
    assert "Rosé" in names and "Gewürztraminer" in names
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Club)) == 3
        assert len(set(s.scalars(select(Club.discount_ppm)))) == 3
        customers = s.scalar(select(func.count()).select_from(Customer))
        members = s.scalar(select(func.count(func.distinct(ClubMembership.customer_id))))
        assert 190 <= customers <= 210 and 30 < members < customers
        assert s.scalar(select(func.count()).select_from(TaxRate)) >= 5
        levels = s.execute(select(Sku.code)).all()
        assert len(levels) >= 40
    assert register.settings.tax_rate_ppm == 86_250


def test_seeding_refuses_a_register_with_data(demo_db: Database):
    with pytest.raises(DemoError, match="already"):
        seed_demo(demo_db)
