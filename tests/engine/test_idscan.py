"""Our AAMVA licence parser, on barcodes built as the standard lays them out."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tastingroom.selling.age import Method, check_birth_date
from tastingroom.selling.idscan import IdScanError, looks_like_id_scan, parse_aamva
from tastingroom.settings import StoreSettings


def barcode(
    elements: list[str],
    iin: str = "636014",
    version: str = "09",
    separator: str = "\n",
    subfile: str = "DL",
) -> str:
    body = subfile + separator.join(elements) + "\r"
    header = f"@\n\x1e\rANSI {iin}{version}0001{subfile}00410{len(body):04d}"
    return header + body


CALIFORNIA = barcode(
    [
        "DAQD1234567",
        "DCSSMITH",
        "DDEN",
        "DACJANE",
        "DDFN",
        "DADMARIE",
        "DDGN",
        "DCAC",
        "DCBNONE",
        "DCDNONE",
        "DBD08312021",
        "DBB02292004",
        "DBA02282029",
        "DBC2",
        "DAU065 IN",
        "DAYBRO",
        "DAG123 MAIN ST",
        "DAISACRAMENTO",
        "DAJCA",
        "DAK958260000",
        "DCF00/00/0000NNNAN/ANFD",
        "DCGUSA",
    ]
)
ONTARIO = barcode(
    [
        "DAQS1234-56789-01234",
        "DCSTREMBLAY",
        "DACÉLODIE",
        "DBB19990615",
        "DBA20300615",
        "DAJON",
        "DCGCAN",
    ],
    iin="636012",
    version="08",
)


def test_a_us_licence():
    scan = parse_aamva(CALIFORNIA)
    assert (scan.first_name, scan.last_name) == ("Jane", "Smith")
    assert scan.birth_date == date(2004, 2, 29) and scan.expires == date(2029, 2, 28)
    assert (scan.country, scan.issuer_iin, scan.aamva_version) == ("USA", "636014", 9)


def test_a_canadian_licence_uses_ccyymmdd():
    scan = parse_aamva(ONTARIO)
    assert scan.birth_date == date(1999, 6, 15) and scan.expires == date(2030, 6, 15)
    assert scan.name == "Élodie Tremblay"


def test_a_version_1_card_with_a_full_name_field():
    old = barcode(["DAQ99999", "DAASMITH,JOHN,Q", "DBB19700102", "DBA20300102"], version="01")
    old = old.replace("ANSI ", "AAMVA")
    scan = parse_aamva(old)
    assert (scan.first_name, scan.last_name, scan.birth_date) == ("John", "Smith", date(1970, 1, 2))


@pytest.mark.parametrize("separator", ["\n", "\r", "\r\n"])
def test_keyboard_wedge_scanners_that_mangle_separators(separator: str):
    typed = CALIFORNIA.replace("\x1e", "").replace("\n", separator)
    assert parse_aamva(typed).birth_date == date(2004, 2, 29)


def test_the_licence_number_is_never_returned():
    scan = parse_aamva(CALIFORNIA)
    assert "D1234567" not in repr(scan)
    assert not any("D1234567" in str(v) for v in vars(scan).values())


@pytest.mark.parametrize(
    "text",
    [
        "0850012000198",
        "",
        "@garbage",
        barcode(["DCSSMITH", "DACJANE"]),
        barcode(["DBB13452004", "DCSSMITH"]),
    ],
)
def test_garbled_scans_get_a_clear_message(text: str):
    with pytest.raises(IdScanError, match=r"date of birth|not a driver's licence"):
        parse_aamva(text)


def test_telling_licences_from_product_codes():
    assert looks_like_id_scan(CALIFORNIA) and looks_like_id_scan(ONTARIO)
    assert not looks_like_id_scan("0850012000198")


def test_an_expired_licence_fails_the_age_check():
    scan = parse_aamva(CALIFORNIA)
    settings = StoreSettings(timezone="America/Los_Angeles")
    later = datetime(2029, 6, 1, 20, tzinfo=UTC)
    result = check_birth_date(
        settings, "s", scan.birth_date, Method.ID_SCAN, id_expires=scan.expires, now=later
    )
    assert not result.passed and "expired" in result.message


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_any_us_birth_date_round_trips(born: date):
    text = barcode([f"DBB{born:%m%d%Y}", "DBA01012099", "DCSMCIDDAN", "DACJO", "DCGUSA"])
    scan = parse_aamva(text)
    assert scan.birth_date == born and scan.last_name == "Mciddan"
