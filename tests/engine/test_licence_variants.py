"""Licences from several states and provinces and AAMVA versions 1 to 10, typed the ways
real 2D scanners in keyboard-wedge mode type them: separators dropped one kind at a time
or all at once, line feeds as CR, CR LF or Tab, a prefix or suffix configured, `@` then
a space. Each barcode is built as the standard lays it out (header, subfile list with
offsets and lengths, subfiles), with the names and orders real cards use."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tastingroom.selling.idscan import (
    IdScanError,
    could_be_licence,
    looks_like_id_scan,
    parse_aamva,
)


def aamva(
    iin: str, version: int, subfiles: list[tuple[str, list[str]]], jurisdiction_version: int = 0
) -> str:
    """A barcode's text as the card holds it: `@` LF RS CR, `ANSI `, the IIN, the AAMVA
    version (then, from version 2, the jurisdiction's), the number of subfiles, each
    subfile's type, offset and length, then the subfiles (type, elements one to a line,
    CR at the end)."""
    head = f"@\n\x1e\rANSI {iin}{version:02d}"
    if version >= 2:
        head += f"{jurisdiction_version:02d}"
    head += f"{len(subfiles):02d}"
    bodies = [kind + "\n".join(elements) + "\r" for kind, elements in subfiles]
    offset = len(head) + 10 * len(subfiles)
    designators = ""
    for (kind, _), body in zip(subfiles, bodies, strict=True):
        designators += f"{kind}{offset:04d}{len(body):04d}"
        offset += len(body)
    return head + designators + "".join(bodies)


@dataclass(frozen=True)
class Card:
    label: str
    text: str
    first: str
    last: str
    born: date
    expires: date
    country: str
    version: int
    licence_number: str


CARDS = [
    Card(
        "California v9 (licence number first, DAWSON holds DAW, DAVID holds DAV)",
        aamva(
            "636014",
            9,
            [
                (
                    "DL",
                    [
                        "DAQI1234568",
                        "DCSDAWSON",
                        "DDEN",
                        "DACDAVID",
                        "DDFN",
                        "DADDANIEL",
                        "DDGN",
                        "DCAC",
                        "DCBNONE",
                        "DCDNONE",
                        "DBD08312021",
                        "DBB07041975",
                        "DBA07042029",
                        "DBC1",
                        "DAU070 IN",
                        "DAYBRO",
                        "DAG2570 24TH STREET",
                        "DAISACRAMENTO",
                        "DAJCA",
                        "DAK958230000  ",
                        "DCF08/31/2021628E1/AAFD/29",
                        "DCGUSA",
                        "DAW180",
                        "DAZBRO",
                        "DCKI1234568CAHRNN0101",
                        "DDAF",
                        "DDB08292017",
                    ],
                ),
                ("ZC", ["ZCAY", "ZCBCORR LENS", "ZCCBRN", "ZCDBLK"]),
            ],
            jurisdiction_version=1,
        ),
        "David",
        "Dawson",
        date(1975, 7, 4),
        date(2029, 7, 4),
        "USA",
        9,
        "I1234568",
    ),
    Card(
        "New York v8 (standard order, MCDANIEL)",
        aamva(
            "636001",
            8,
            [
                (
                    "DL",
                    [
                        "DCAD",
                        "DCBNONE",
                        "DCDNONE",
                        "DBA10152031",
                        "DCSMCDANIEL",
                        "DACAISHA",
                        "DADNONE",
                        "DBD10152023",
                        "DBB10151990",
                        "DBC2",
                        "DAYBRO",
                        "DAU064 IN",
                        "DAG125 W 31ST ST APT 4B",
                        "DAINEW YORK",
                        "DAJNY",
                        "DAK100010000  ",
                        "DAQ987654321",
                        "DCFNYSDMV1234567",
                        "DCGUSA",
                        "DDEN",
                        "DDFN",
                        "DDGN",
                        "DDAF",
                    ],
                ),
            ],
            jurisdiction_version=1,
        ),
        "Aisha",
        "Mcdaniel",
        date(1990, 10, 15),
        date(2031, 10, 15),
        "USA",
        8,
        "987654321",
    ),
    Card(
        "Florida v3 (given names in DCT with a comma)",
        aamva(
            "636010",
            3,
            [
                (
                    "DL",
                    [
                        "DAQS530123456780",
                        "DCSO'BRIEN",
                        "DCTJOHN,PAUL",
                        "DCUJR",
                        "DBB03141979",
                        "DBA03142027",
                        "DBD03142019",
                        "DBC1",
                        "DAU071 IN",
                        "DAG1200 OCEAN DR",
                        "DAIMIAMI BEACH",
                        "DAJFL",
                        "DAK331390000  ",
                        "DCGUSA",
                        "DCAE",
                        "DCBNONE",
                        "DCDNONE",
                    ],
                ),
            ],
        ),
        "John",
        "O'Brien",
        date(1979, 3, 14),
        date(2027, 3, 14),
        "USA",
        3,
        "S530123456780",
    ),
    Card(
        "Pennsylvania v1 (2000 standard: full name in DAA, CCYYMMDD, no country)",
        aamva(
            "636025",
            1,
            [
                (
                    "DL",
                    [
                        "DAQ26798765",
                        "DAASMITH,JOHN,P",
                        "DAG140 MAIN ST",
                        "DAIPHILADELPHIA",
                        "DAJPA",
                        "DAK19130      ",
                        "DARC   ",
                        "DAS*/1",
                        "DAT----",
                        "DAU600",
                        "DAYHAZ",
                        "DBA20300203",
                        "DBB19860202",
                        "DBCM",
                        "DBD20220104",
                    ],
                ),
            ],
        ),
        "John",
        "Smith",
        date(1986, 2, 2),
        date(2030, 2, 3),
        "USA",
        1,
        "26798765",
    ),
    Card(
        "Ontario v3 (CCYYMMDD, padded values, DCT with a comma)",
        aamva(
            "636012",
            3,
            [
                (
                    "DL",
                    [
                        "DCAG   ",
                        "DCBNONE      ",
                        "DCDNONE ",
                        "DBA20300603",
                        "DCSTREMBLAY,                      ",
                        "DCTMARIE,CLAIRE                   ",
                        "DBD20220607",
                        "DBB19960603",
                        "DBC2",
                        "DAYNONE",
                        "DAU170 CM",
                        "DAG123 ST GEORGE ST E,            ",
                        "DAIFERGUS              ",
                        "DAJON",
                        "DAKN1M 3J6    ",
                        "DAQT7654-43879-65702",
                        "DCFDV1539283",
                        "DCGCAN",
                    ],
                ),
            ],
        ),
        "Marie",
        "Tremblay",
        date(1996, 6, 3),
        date(2030, 6, 3),
        "CAN",
        3,
        "T7654-43879-65702",
    ),
    Card(
        "British Columbia v10",
        aamva(
            "636028",
            10,
            [
                (
                    "DL",
                    [
                        "DAQ7654321",
                        "DCSNGUYEN",
                        "DACMINH",
                        "DADTHANH",
                        "DBA20280915",
                        "DBB19880915",
                        "DBD20230915",
                        "DBC1",
                        "DAYBRO",
                        "DAU175 CM",
                        "DAG1050 BURRARD ST",
                        "DAIVANCOUVER",
                        "DAJBC",
                        "DAKV6Z 1Y3",
                        "DCGCAN",
                        "DDEN",
                        "DDFN",
                        "DDGN",
                    ],
                ),
            ],
            jurisdiction_version=0,
        ),
        "Minh",
        "Nguyen",
        date(1988, 9, 15),
        date(2028, 9, 15),
        "CAN",
        10,
        "7654321",
    ),
    Card(
        "Alberta v3 (no country element: Canadian by its issuer number)",
        aamva(
            "990876",
            3,
            [
                (
                    "DL",
                    [
                        "DCSMOTORIST",
                        "DCTMARY SMITH",
                        "DAG123 MAPLE LEAF TERR SW",
                        "DAQ123400-056",
                        "DAKT4G 7A7",
                        "DAICALGARY",
                        "DAJAB",
                        "DBCF",
                        "DBB19930204",
                        "DBA20310108",
                        "DAU155 CM",
                    ],
                ),
            ],
        ),
        "Mary",
        "Motorist",
        date(1993, 2, 4),
        date(2031, 1, 8),
        "CAN",
        3,
        "123400-056",
    ),
    Card(
        "Texas v7 (an ID card, with a jurisdiction subfile)",
        aamva(
            "636015",
            7,
            [
                (
                    "ID",
                    [
                        "DAQ12345678",
                        "DCSGARCIA",
                        "DACSOFIA",
                        "DADELENA",
                        "DBD05012022",
                        "DBB02291996",
                        "DBA02282030",
                        "DBC2",
                        "DAYBRO",
                        "DAU062 IN",
                        "DAG4100 GUADALUPE ST",
                        "DAIAUSTIN",
                        "DAJTX",
                        "DAK787510000  ",
                        "DCF12345678901234567890",
                        "DCGUSA",
                        "DDEN",
                        "DDFN",
                        "DDGN",
                    ],
                ),
                ("ZT", ["ZTAID", "ZTB00"]),
            ],
            jurisdiction_version=4,
        ),
        "Sofia",
        "Garcia",
        date(1996, 2, 29),
        date(2030, 2, 28),
        "USA",
        7,
        "12345678",
    ),
    Card(
        "Quebec v5",
        aamva(
            "604428",
            5,
            [
                (
                    "DL",
                    [
                        "DCAB",
                        "DCBNONE",
                        "DCDNONE",
                        "DBA20320423",
                        "DCSGAGNON",
                        "DACLOUIS",
                        "DADNONE",
                        "DBD20240423",
                        "DBB19700423",
                        "DBC1",
                        "DAYBLU",
                        "DAU180 CM",
                        "DAG1000 RUE SHERBROOKE O",
                        "DAIMONTREAL",
                        "DAJQC",
                        "DAKH3A 3G4",
                        "DAQG1234-230470-01",
                        "DCF1234567890",
                        "DCGCAN",
                        "DDEN",
                        "DDFN",
                        "DDGN",
                    ],
                ),
            ],
        ),
        "Louis",
        "Gagnon",
        date(1970, 4, 23),
        date(2032, 4, 23),
        "CAN",
        5,
        "G1234-230470-01",
    ),
]


def _drop(chars: str) -> Callable[[str], str]:
    return lambda text: "".join(c for c in text if c not in chars)


VARIANTS: dict[str, Callable[[str], str]] = {
    "as on the card": lambda t: t,
    "record and segment separators dropped": _drop("\x1e\r"),
    "line feeds as CR": lambda t: t.replace("\x1e", "").replace("\n", "\r"),
    "line feeds as CR LF": lambda t: t.replace("\x1e", "").replace("\n", "\r\n"),
    "line feeds as Tab": lambda t: t.replace("\x1e", "").replace("\r", "").replace("\n", "\t"),
    "every control character dropped": lambda t: "".join(c for c in t if ord(c) >= 32),
    "AIM prefix ]L2": lambda t: "]L2" + t,
    "AIM prefix, all controls dropped": lambda t: "]L2" + "".join(c for c in t if ord(c) >= 32),
    "suffix <CR><LF>": lambda t: t + "\r\n",
    "suffix text, all controls dropped": lambda t: "".join(c for c in t if ord(c) >= 32) + "#",
    "@ then a space": lambda t: "@ " + t[4:],
    "@ then a space, all controls dropped": lambda t: (
        "@ " + "".join(c for c in t[4:] if ord(c) >= 32)
    ),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("card", CARDS, ids=[c.label for c in CARDS])
def test_every_card_reads_the_same_however_it_is_typed(card: Card, variant: str):
    typed = VARIANTS[variant](card.text)
    assert looks_like_id_scan(typed)
    scan = parse_aamva(typed)
    assert (scan.birth_date, scan.expires) == (card.born, card.expires)
    assert (scan.first_name, scan.last_name) == (card.first, card.last)
    assert (scan.country, scan.aamva_version) == (card.country, card.version)
    assert card.licence_number not in repr(scan)


@pytest.mark.parametrize("card", CARDS, ids=[c.label for c in CARDS])
def test_the_licence_number_is_never_sliced_out(card: Card, monkeypatch):
    """Every value the parser takes out of the text is an element it wants; the licence
    number is stepped over, never copied (so it cannot reach a log or a screen)."""
    import tastingroom.selling.idscan as idscan

    seen: list[str] = []
    original = idscan._given

    def spy(value: str) -> str:
        seen.append(value)
        return original(value)

    monkeypatch.setattr(idscan, "_given", spy)
    for variant in ("as on the card", "every control character dropped"):
        scan = parse_aamva(VARIANTS[variant](card.text))
        assert all(card.licence_number not in str(v) for v in vars(scan).values())
    assert all(card.licence_number not in value for value in seen)
    assert "DAQ" not in idscan.WANTED


def test_a_scanner_that_splits_bursts_still_finds_the_elements_by_their_ids():
    """Half the separators dropped, half kept: a line may carry two elements."""
    card = CARDS[1]
    text = card.text.replace("\nDBA", "DBA").replace("\nDBC", "DBC").replace("\x1e", "")
    scan = parse_aamva(text)
    assert (scan.birth_date, scan.expires) == (card.born, card.expires)


def refused(elements: list[str], iin: str = "636014", version: int = 9) -> str:
    with pytest.raises(IdScanError) as info:
        parse_aamva(aamva(iin, version, [("DL", elements)]))
    return str(info.value)


def test_no_date_of_birth_is_refused_with_the_typed_date_offered():
    message = refused(["DAQD1", "DCSSMITH", "DACJANE", "DBA01012030", "DCGUSA"])
    assert "date of birth could not be read" in message and "type" in message


def test_a_date_that_does_not_parse_is_refused_never_guessed():
    # 13 is no month: a US card's date is MMDDCCYY, never retried the other way round.
    assert "date of birth" in refused(["DBB13041975", "DBA01012030", "DCGUSA"])
    # A Canadian card's CCYYMMDD date on a US card is not read as one.
    assert "date of birth" in refused(["DBB19750704", "DBA07042030", "DCGUSA"])
    # An Ontario card (CCYYMMDD) carrying a US-style date.
    assert "date of birth" in refused(
        ["DBB07041975", "DBA20300704", "DCGCAN"], iin="636012", version=8
    )
    assert "expiry date" in refused(["DBB07041975", "DBA02302030", "DCGUSA"])


def test_a_missing_expiry_date_is_refused():
    message = refused(["DAQD1", "DCSSMITH", "DBB07041975", "DCGUSA"])
    assert "expiry date could not be read" in message


def test_a_pre_standard_card_is_refused():
    assert "older than the AAMVA standard" in refused(["DBB19750704", "DBA20300704"], version=0)


def test_canada_by_the_issuer_number_when_the_country_is_missing():
    scan = parse_aamva(aamva("636012", 8, [("DL", ["DBB19960603", "DBA20300603", "DCSLEE"])]))
    assert scan.country == "CAN" and scan.birth_date == date(1996, 6, 3)


def test_canada_by_the_country_element_whatever_the_issuer_number():
    scan = parse_aamva(
        aamva("636099", 9, [("DL", ["DBB19960603", "DBA20300603", "DCSLEE", "DCGCAN"])])
    )
    assert scan.country == "CAN" and scan.birth_date == date(1996, 6, 3)


@pytest.mark.parametrize("version", range(1, 11))
def test_the_header_version_decides_the_date_order(version: int):
    us = "19750704" if version == 1 else "07041975"
    expiry = "20300704" if version == 1 else "07042030"
    scan = parse_aamva(aamva("636045", version, [("DL", [f"DBB{us}", f"DBA{expiry}"])]))
    assert scan.birth_date == date(1975, 7, 4) and scan.aamva_version == version


def test_telling_licences_and_their_first_keys_from_product_codes():
    card = CARDS[0].text
    assert looks_like_id_scan("]L2" + card) and looks_like_id_scan("@ " + card[4:])
    assert not looks_like_id_scan("0850012000198") and not looks_like_id_scan("AB@12")
    assert not looks_like_id_scan("x" * 20 + card)  # a "prefix" that long is not one
    for start in ("@", "@\n", "@\n\n", "]L2@", "@ AN", "@a\nANS", "@\nAAMVA63"):
        assert could_be_licence(start), start
    for start in ("0850012", "AB@12", "@xyz", "rose@"[:4] + "x"):
        assert not could_be_licence(start), start


def test_a_glued_licence_is_read_quickly():
    """Splitting elements that run together is a search: it stays well inside a scan's
    time even for the longest card above. The fastest of 20 reads in this process's own
    CPU time (20-34 ms here), so that other work on a busy machine does not count: a
    search grown exponential would still fail by far."""
    glued = VARIANTS["every control character dropped"](CARDS[0].text)
    times = []
    for _ in range(20):
        started = time.process_time()
        parse_aamva(glued)
        times.append(time.process_time() - started)
    assert min(times) < 0.05


NAMES = (
    st.text(alphabet="ABCDEGHILMNORSTUVWYZ' -", min_size=1, max_size=20)
    .map(str.strip)
    .filter(lambda s: s and s[0].isalpha())
)


@settings(max_examples=150, deadline=None)
@given(
    last=NAMES,
    first=NAMES,
    middle=NAMES,
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2010, 12, 31)),
    expires=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
)
def test_any_names_leave_the_dates_alone_even_with_every_separator_dropped(
    last: str, first: str, middle: str, born: date, expires: date
):
    """Names may hold element IDs (DAWSON, DAVID, ADDA...); the dates are never lost or
    misread because of them."""
    text = aamva(
        "636014",
        9,
        [
            (
                "DL",
                [
                    "DAQD1234567",
                    f"DCS{last}",
                    "DDEN",
                    f"DAC{first}",
                    "DDFN",
                    f"DAD{middle}",
                    "DDGN",
                    f"DBB{born:%m%d%Y}",
                    f"DBA{expires:%m%d%Y}",
                    "DBC2",
                    "DAU065 IN",
                    "DAG1 MAIN ST",
                    "DAJCA",
                    "DCGUSA",
                ],
            )
        ],
    )
    for variant in ("as on the card", "every control character dropped"):
        scan = parse_aamva(VARIANTS[variant](text))
        assert (scan.birth_date, scan.expires) == (born, expires)


# --- the keyboard path: the burst detector ------------------------------------------------

KEYS = {"\n": "\r", "\r": "\r", "\t": "\t"}
"""What a keyboard-wedge scanner types for each separator: Enter for LF and CR, Tab."""


def typed_keys(text: str) -> list[str]:
    """The key presses a wedge scanner makes for `text` (other controls come as keys with
    control text, which the window feeds along while a burst is held)."""
    return [KEYS.get(char, char) for char in text]


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("card", CARDS[:4] + CARDS[6:7], ids=lambda c: c.label.split(" (")[0])
def test_the_burst_detector_holds_a_whole_licence_and_gives_it_as_one_scan(
    card: Card, variant: str
):
    from tastingroom.devices.scanner import BurstDetector

    detector = BurstDetector()
    keys = typed_keys(VARIANTS[variant](card.text))
    at, scans, released = 0.0, [], []
    for index, key in enumerate(keys):
        at += 120.0 if index == len(keys) // 2 else 4.0  # a scanner stalls mid-barcode
        scan, back = detector.key(key, at)
        scans += [scan] if scan else []
        released += back
    assert scans == [] and released == []  # nothing shown while it is typed
    assert detector.idle(at + detector.max_gap_ms + 5) == (None, [])
    scan, back = detector.idle(at + detector.licence_gap_ms + 5)
    assert back == [] and looks_like_id_scan(scan)
    assert parse_aamva(scan).birth_date == card.born
    # The next product scan is a product scan again.
    for key in "0850012000198\r":
        at += 4.0
        scan, back = detector.key(key, at)
    assert scan == "0850012000198" and back == []


def test_a_person_typing_an_at_sign_gets_it_back():
    from tastingroom.devices.scanner import BurstDetector

    detector = BurstDetector()
    released = []
    for at, key in ((0, "a"), (150, "@"), (300, "b")):
        released += detector.key(key, at)[1]
    released += detector.idle(300 + detector.licence_gap_ms + 5)[1]
    assert "".join(released) == "a@b"


def test_a_product_code_with_an_at_sign_is_still_a_product_scan():
    from tastingroom.devices.scanner import BurstDetector

    detector = BurstDetector()
    scans = [detector.key(key, at * 4.0)[0] for at, key in enumerate("AB@12\r")]
    assert scans[-1] == "AB@12"
    scans = [detector.key(key, 1000 + at * 4.0)[0] for at, key in enumerate("XYZ9@\r")]
    assert not any(scans)  # it could still be a licence with a prefix...
    assert detector.idle(2000) == ("XYZ9@", [])  # ...until the pause says it was not


def test_a_persons_tab_is_given_back_at_once():
    from tastingroom.devices.scanner import BurstDetector

    detector = BurstDetector()
    assert detector.key("\t", 0) == (None, ["\t"])


def test_a_licence_ended_by_a_stall_the_window_did_not_see_is_still_one_scan():
    """A busy register may not ask `idle` in time: the next key after the stall ends the
    licence as a scan; nothing of it is given back as typing."""
    from tastingroom.devices.scanner import BurstDetector

    detector = BurstDetector()
    text = VARIANTS["every control character dropped"](CARDS[1].text)
    half = text.index("DAQ")
    at, scans, released = 0.0, [], []
    for index, key in enumerate(text):
        at += 400.0 if index == half else 4.0
        scan, back = detector.key(key, at)
        scans += [scan] if scan else []
        released += back
    scans.append(detector.idle(at + 1000)[0])
    assert released == [] and len(scans) == 2
    assert looks_like_id_scan(scans[0]) and scans[1].startswith("DAQ")
