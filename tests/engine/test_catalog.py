from __future__ import annotations

from tastingroom.catalog.index import CatalogIndex, load_items
from tastingroom.demo.synthetic import generate_catalog
from tastingroom.kinds import Kind
from tastingroom.selling.sales import Register
from tastingroom.store.database import Database


def test_search_ranks_codes_then_prefixes_then_substrings(register: Register):
    index = register.catalog
    assert index.search("PN22")[0].code == "PN22"
    names = [i.name for i in index.search("rosé")]
    assert names[0].casefold().startswith("rosé")
    assert any("Grenache Rosé" in n for n in names)  # a substring match, after the prefixes
    assert index.search("GEWÜRZ")[0].name.startswith("Gewürztraminer")
    assert index.search("   ") == []
    assert index.search("zzzz-not-a-wine") == []


def test_barcode_lookup_and_packs(register: Register):
    index = register.catalog
    single = index.by_barcode("CHD22")
    case = index.by_barcode("CHD22-12")
    assert case.units == 12 and case.base_sku_id == single.sku_id
    assert index.by_barcode(single.barcode) is single
    assert index.by_barcode("0000000000000") is None
    assert case.name.endswith("(Case of 12)")


def test_inactive_items_are_not_offered(db: Database):
    generate_catalog(db, 50)
    with db.write() as s:
        s.connection().exec_driver_sql("UPDATE sku SET active = 0 WHERE code = 'GEN0000007'")
    with db.read() as s:
        index = CatalogIndex(load_items(s))
    assert len(index) == 49 and index.by_barcode("GEN0000007") is None
    assert all(i.kind is Kind.BOTTLE for i in index.items)


def test_search_limit(db: Database):
    generate_catalog(db, 300)
    with db.read() as s:
        index = CatalogIndex.from_session(s)
    assert len(index.search("e", limit=25)) == 25


def test_packs_of_a_wine_fewest_bottles_first(register: Register):
    index = register.catalog
    single = index.by_barcode("CHD22")
    packs = index.packs(index.by_barcode("CHD22-12"))
    assert packs[0] is single
    assert packs[-1].units == 12
    assert [p.units for p in packs] == sorted(p.units for p in packs)
    assert {p.base_sku_id for p in packs} == {single.sku_id}
    assert index.packs(single) == packs


def test_categories_list_singles_before_packs(register: Register):
    index = register.catalog
    assert "Red" in index.categories() and "Tastings" in index.categories()
    reds, total = index.in_category("Red", 5)
    assert len(reds) == 5 and total > 5
    assert all(i.category == "Red" for i in reds)
    everything, _ = index.in_category("Red", 1000)
    units = [i.units > 1 for i in everything]
    assert units == sorted(units)
