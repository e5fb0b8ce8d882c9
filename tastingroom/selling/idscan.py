"""Reading a driver's licence's PDF417 barcode (AAMVA), as a 2D scanner types it.

The barcode holds a header (`@`, LF, RS, CR, then `ANSI ` or, on old cards, `AAMVA`,
the issuer's IIN, the AAMVA version, and a list of subfiles) and subfiles of elements:
a three-letter element ID from AAMVA's list (`DBB` date of birth, `DCS` family name...)
and a value, one element per line. A scanner in keyboard-wedge mode mangles this on its
way in: separators come as Enter, CR LF or Tab, or are dropped one by one or all at once;
a configured prefix (an AIM symbology identifier such as `]L2`) or suffix surrounds it;
the `@` may be followed by a space. So nothing here relies on line starts:

- with the lines still apart, each line is an element, and an element with a fixed form
  (a date, the sex code, the country) ends where its form ends when the next element was
  glued on;
- with every control character gone, the elements run together, and are found by their
  IDs. A family name such as DAWSON holds an ID (`DAW`), so the split chosen is the one
  under which every fixed-form value has its form (`DAW` is a weight: digits), then the
  one that finds the most elements, each at most once, in the most usual order.

Dates are CCYYMMDD on version 1 cards and on Canadian ones, MMDDCCYY on US cards from
version 2 on: the header's version number decides, and a card is Canadian by its
country element (`DCG`) or its issuer number. A date is read that one way or not at all:
a scan without a date of birth, with a date that does not parse or without an expiry
date is refused with a message, and the dialog offers the typed date instead. Nothing
is ever guessed.

Only what an age check needs is returned: names, date of birth, expiry, country. The
licence number (`DAQ`) is skipped over, never sliced out or kept, and so is the address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PREFIX_MAX = 16
"""The longest configured prefix allowed before the `@` (an AIM identifier is 3)."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HEADER = re.compile(
    r"@[\x00-\x20]*[^A-Z\x00-\x20]{0,3}?[\x00-\x20]*(?:ANSI ?|AAMVA)[\x00-\x20]*(\d{6})(\d{2})"
)
_LEAD = re.compile(rf"^(.{{0,{PREFIX_MAX}}}?)@", re.DOTALL)
_DESIGNATOR = re.compile(r"(?:DL|ID|Z[A-Z])[0-9A-Za-z]{8}")

CANADIAN_IINS = frozenset(
    {
        "604426",  # Prince Edward Island
        "604428",  # Quebec
        "604429",  # Yukon
        "604432",  # Alberta
        "604433",  # Nunavut
        "636012",  # Ontario
        "636013",  # Nova Scotia
        "636016",  # Newfoundland and Labrador
        "636017",  # New Brunswick
        "636028",  # British Columbia
        "636044",  # Saskatchewan
        "636048",  # Manitoba
        "990876",  # Alberta (its older, non-ISO number)
    }
)
"""Issuer identification numbers of Canadian jurisdictions (AAMVA's IIN list)."""

_USUAL_ORDER = (
    "DAQ DCS DDE DAC DDF DAD DDG DCA DCB DCD DBD DBB DBA DBC DAU DAY DAG DAH DAI DAJ DAK "
    "DCF DCG DAW DAX DAZ DCK DDA DDB DDC DDD DDH DDI DDJ DDK DDL DCE DCH DCI DCJ DCL DCM "
    "DCN DCO DCP DCQ DCR DCT DCU DBN DBG DBS DAA DAB DAE DAF DAR DAS DAT"
)
ELEMENTS = tuple(_USUAL_ORDER.split())
"""Element IDs of the AAMVA DL/ID standard, versions 1 to 10, in the order most states
and provinces put them (which breaks ties when elements run together)."""
_DROPPED = "DAL DAM DAN DAO DAP DAV DBE DBF DBH DBI DBJ DBK DBL DBM DBO DBP DBQ DBR"
VERSION_1_ONLY = tuple(_DROPPED.split())
"""Elements of the 2000 standard (version 1: residence address, metric height, aliases...)
that later versions dropped: on newer cards, DAN in MCDANIEL is part of the name."""

_DATE = r"\d{8}"
_FORMS = {
    "DBA": _DATE,
    "DBB": _DATE,
    "DBD": _DATE,
    "DDB": _DATE,
    "DDC": _DATE,
    "DDH": _DATE,
    "DDI": _DATE,
    "DDJ": _DATE,
    "DBL": _DATE,
    "DBC": r"[129MFUX]",
    "DCG": r"[A-Z]{3}",
    "DAJ": r"[A-Z]{2}",
    "DDE": r"[TNU]",
    "DDF": r"[TNU]",
    "DDG": r"[TNU]",
    "DDA": r"[FN]",
    "DDD": r"[01]",
    "DDK": r"[01]",
    "DDL": r"[01]",
    "DAU": r"\d{2,3}(?: ?(?:IN|CM))?|\d-\d{2}",
    "DAW": r"\d{2,3}(?: ?(?:LB|KG))?",
    "DAX": r"\d{2,3}",
    "DAK": r"\d{5}(?:-?\d{4})?(?:\d{2})? *|[A-Z]\d[A-Z] ?\d[A-Z]\d *",
}
"""The form of every element whose value has one; the others are free text."""
FORMS = {code: re.compile(pattern) for code, pattern in _FORMS.items()}
DATES = frozenset(code for code, pattern in _FORMS.items() if pattern == _DATE)

WANTED = ("DBB", "DBA", "DCS", "DAC", "DCT", "DAA", "DAB", "DCG")
"""The only elements whose values are ever read."""

SEARCH_LIMIT = 50_000
"""Steps allowed to split elements that run together; a barcode that needs more (none
that a card issuer makes) is refused rather than left to hold up the register."""


class IdScanError(ValueError):
    """A scan that is not a readable licence barcode (the message says what to do)."""


@dataclass(frozen=True)
class IdScan:
    first_name: str
    last_name: str
    birth_date: date
    expires: date
    country: str
    issuer_iin: str
    aamva_version: int

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def looks_like_id_scan(text: str) -> bool:
    """Does this scanner burst hold a licence header (rather than a product code)? A
    configured prefix of up to `PREFIX_MAX` characters may come before the `@`."""
    lead = _LEAD.match(text)
    return lead is not None and _HEADER.match(text, lead.end(1)) is not None


_HEADER_WORDS = ("ANSI", "AAMVA")
_ANY_ELEMENT = "|".join(ELEMENTS + VERSION_1_ONLY)
_PART = re.compile(
    rf"(?:.{{0,{PREFIX_MAX}}}@|(?:DL|ID)?(?:{_ANY_ELEMENT})|.*ANSI \d{{6}})", re.DOTALL
)


def looks_like_licence_part(text: str) -> bool:
    """Could this burst be a piece of a licence (the rest of one after a scanner stalled
    too long, say)? Then a screen says so without showing it: it may hold the licence
    number. A product code that starts like an element ID ("DAC...") is taken for one
    too, which only changes the words when no product has that code."""
    return _PART.match(text.strip()) is not None


def could_be_licence(text: str) -> bool:
    """Could a burst that starts like this still turn out to be a licence? True from the
    `@` on (after a prefix), as long as what follows it is on its way to `ANSI`/`AAMVA`.
    The keyboard path uses it to keep a licence's line breaks and Tabs in the burst
    instead of letting the first one end it as a product code."""
    lead = _LEAD.match(text)
    if lead is None:
        return False
    rest = _CONTROL.sub("", text[lead.end() : lead.end() + 24]).lstrip(" ")
    if rest and rest[0] != "A":
        rest = rest[1:].lstrip(" ")  # one stray character after the @ ("@a ANSI")
    return any(word.startswith(rest[: len(word)]) for word in _HEADER_WORDS)


def _element_ids(version: int, subfile_types: list[str]) -> frozenset[str]:
    ids = set(ELEMENTS)
    if version <= 1:
        ids.update(VERSION_1_ONLY)
    for kind in subfile_types:  # a jurisdiction's own subfile "ZC" holds ZCA, ZCB...
        if kind.startswith("Z"):
            ids.update(f"{kind}{letter}" for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return frozenset(ids)


def _fits(code: str, value: str) -> bool:
    form = FORMS.get(code)
    return form is None or form.fullmatch(value.rstrip(" ,")) is not None


_RANK = {code: index for index, code in enumerate(ELEMENTS)}


def _disorder(codes: list[str]) -> int:
    """How far a sequence of elements is from the usual order (pairs out of order)."""
    ranks = [_RANK.get(code, len(_RANK)) for code in codes]
    return sum(1 for i, a in enumerate(ranks) for b in ranks[i + 1 :] if a > b)


Span = tuple[str, int, int]
"""An element's ID and where its value starts and ends in the text."""


def _split_glued(text: str, ids: frozenset[str]) -> list[Span]:
    """Elements that run together (every separator dropped), found by their IDs.

    Among the ways to cut `text` at element IDs, each element used at most once and
    no value empty, take the one with the fewest values out of form, then the most
    elements, then the usual order. Text after the last element (a suffix, a jurisdiction
    subfile whose IDs are unknown) is left over rather than forced into a value.
    """
    starts = [i for i in range(len(text) - 2) if text[i : i + 3] in ids]
    if not starts or starts[0] != 0:
        return []
    best: tuple[tuple[int, int, int], list[Span]] | None = None
    steps = 0

    def search(k: int, used: frozenset[str], misfits: int, path: list[Span]) -> None:
        nonlocal best, steps
        steps += 1
        if steps > SEARCH_LIMIT:
            raise IdScanError(
                "The licence's barcode could not be read; type the date of birth instead."
            )
        at = starts[k]
        code = text[at : at + 3]
        if best is not None:
            room = len(path) + 1 + (len(starts) - k - 1)
            if misfits > -best[0][0] or (misfits == -best[0][0] and room < best[0][1]):
                return
        ends: list[tuple[int, int | None]] = []  # (value end, next start index or None)
        form = FORMS.get(code)
        if form is not None:
            fixed = form.match(text, at + 3)
            if fixed is not None and fixed.end() > at + 3:
                end = fixed.end()
                while end < len(text) and text[end] in " ,":
                    end += 1
                ends.append((end, None))  # the value, then leftover text
        for j in range(k + 1, len(starts)):
            nxt = starts[j]
            if nxt > at + 3 and text[nxt : nxt + 3] not in used and text[nxt : nxt + 3] != code:
                ends.append((nxt, j))
        ends.append((len(text), None))
        for end, j in ends:
            if end == at + 3:
                continue
            misfit = 0 if _fits(code, text[at + 3 : end]) else 1
            spans = [*path, (code, at + 3, end)]
            if j is not None:
                search(j, used | {code}, misfits + misfit, spans)
                continue
            codes = [c for c, _, _ in spans]
            score = (-(misfits + misfit), len(spans), -_disorder(codes))
            if best is None or score > best[0]:
                best = (score, spans)

    search(0, frozenset(), 0, [])
    return best[1] if best else []


def _split_lines(lines: list[str], ids: frozenset[str]) -> list[Span]:
    """Elements one to a line. A line that carries more than one (a separator lost here
    and there) is cut only where a fixed-form value shows the cut: after a value that
    has its form and is followed by an ID, or before a date element whose eight digits
    run to the end of the line or up to another ID. A name such as MCDADE or MCIDDAN
    stays whole."""
    spans: list[Span] = []
    text = "".join(lines)
    at = 0
    for line in lines:
        end = at + len(line)
        if text[at : at + 3] in ids:
            cuts = [at]
            for q in range(at + 4, end - 2):
                code = text[q : q + 3]
                if code not in ids:
                    continue
                before = FORMS.get(text[cuts[-1] : cuts[-1] + 3])
                if before is not None and before.fullmatch(text[cuts[-1] + 3 : q].rstrip(" ,")):
                    cuts.append(q)
                    continue
                form = FORMS.get(code) if code in DATES else None  # "DDAN": a name, not DDA
                own = form.match(text, q + 3, end) if form is not None else None
                if own is not None and own.end() > q + 3:
                    after = own.end()
                    while after < end and text[after] in " ,":
                        after += 1
                    if after == end or text[after : after + 3] in ids:
                        cuts.append(q)
            for start, stop in zip(cuts, [*cuts[1:], end], strict=True):
                spans.append((text[start : start + 3], start + 3, stop))
        at = end
    return spans


def _subfile_start(text: str, after: int, ids: frozenset[str]) -> int:
    """Where the first DL or ID subfile's first element starts: its type ("DL") then an
    element ID. The subfile list before it is skipped by shape, not by its offsets,
    which count the separators a scanner may have dropped (and some cards get wrong)."""
    codes = "|".join(sorted(ids))
    found = re.compile(rf"(?:DL|ID)(?={codes})").search(text, after)
    if found is None:
        raise IdScanError("The licence's barcode could not be read; type the date of birth.")
    return found.end()


def _date(value: str, canadian_order: bool, what: str) -> date:
    digits = value.strip()
    try:
        if len(digits) != 8 or not digits.isdigit():
            raise ValueError(digits)
        if canadian_order:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        return date(int(digits[4:]), int(digits[:2]), int(digits[2:4]))
    except ValueError:
        raise IdScanError(
            f"The licence's {what} could not be read; type the date of birth instead."
        ) from None


def _given(value: str) -> str:
    """The first given name from DAC, or from DCT's list ("JOHN,PAUL" or "JOHN PAUL")."""
    parts = [p for p in re.split(r"[, ]+", value.strip(" ,")) if p]
    return parts[0] if parts else ""


def parse_aamva(text: str) -> IdScan:
    """Parse a scanned licence; raises `IdScanError` for anything that is not one, or
    that does not say plainly when its holder was born and when it expires."""
    lead = _LEAD.match(text)
    header = _HEADER.match(text, lead.end(1)) if lead else None
    if header is None:
        raise IdScanError(
            "That scan is not a driver's licence barcode. Scan the large barcode on the back "
            "of the licence, or type the date of birth."
        )
    iin, version = header.group(1), int(header.group(2))
    if version < 1:
        raise IdScanError(
            "This licence's barcode is older than the AAMVA standard and its dates cannot be "
            "read safely; type the date of birth."
        )
    # Version 1 headers have no jurisdiction version; then the number of subfiles.
    counted = header.end() + (2 if version >= 2 else 0)
    listed = _CONTROL.sub("", text[counted + 2 :])
    types: list[str] = []
    while designator := _DESIGNATOR.match(listed, 10 * len(types)):
        types.append(designator.group()[:2])
    ids = _element_ids(version, types)
    body = text[_subfile_start(text, header.end(), ids) :]
    lines = [line for line in _CONTROL.split(body) if line]
    if len(lines) >= 3:
        spans = _split_lines(lines, ids)
        body = "".join(lines)
    else:
        body = "".join(lines)
        spans = _split_glued(body, ids)
    fields: dict[str, str] = {}
    for code, start, end in spans:
        if code in WANTED and code not in fields:
            fields[code] = body[start:end].strip(" ,")
    if "DBB" not in fields:
        raise IdScanError("The licence's date of birth could not be read; type it instead.")
    if "DBA" not in fields:
        raise IdScanError(
            "The licence's expiry date could not be read; type the date of birth instead."
        )
    country = fields.get("DCG", "").upper()
    if country == "CDN":
        country = "CAN"
    if not country:
        country = "CAN" if iin in CANADIAN_IINS else "USA"
    canadian_order = version == 1 or country == "CAN" or iin in CANADIAN_IINS
    born = _date(fields["DBB"], canadian_order, "date of birth")
    expires = _date(fields["DBA"], canadian_order, "expiry date")
    last = fields.get("DCS") or fields.get("DAB") or ""
    given = _given(fields.get("DAC") or fields.get("DCT") or "")
    if not last and fields.get("DAA"):  # version 1: "LAST,FIRST,MIDDLE" or "FIRST M LAST"
        full = fields["DAA"]
        if "," in full:
            parts = [p.strip() for p in full.split(",")]
            last, given = parts[0], given or (parts[1] if len(parts) > 1 else "")
        else:
            words = full.split()
            last, given = words[-1], given or (words[0] if len(words) > 1 else "")
    return IdScan(
        first_name=given.title(),
        last_name=last.title(),
        birth_date=born,
        expires=expires,
        country=country,
        issuer_iin=iin,
        aamva_version=version,
    )
