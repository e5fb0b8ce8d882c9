"""Reading a driver's licence's PDF417 barcode (AAMVA), as a 2D scanner types it.

The barcode holds a header (`@`, LF, RS, CR, then `ANSI ` or, on old cards, `AAMVA`,
the issuer's IIN and version numbers) and subfiles of elements, each a three-letter
code and a value on its own line. A scanner in keyboard mode often turns the control
characters into Enter presses or drops them, so elements are found by their codes at
line starts, whatever separates the lines.

Dates are MMDDCCYY on US cards (AAMVA version 2 onward) and CCYYMMDD on Canadian cards
and version 1 cards; a date that is impossible one way is tried the other way.

Only what an age check needs is returned: names, date of birth, expiry, country. The
licence number (DAQ) and the address are deliberately not read at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

CODES = ("DBB", "DBA", "DCS", "DAC", "DCT", "DAA", "DCG", "DAJ")
_ELEMENT = re.compile(r"(?:^|[\n\r\x1e])(" + "|".join(CODES) + r")([^\n\r\x1e]*)")
_HEADER = re.compile(r"^@\s*(?:ANSI |AAMVA)(\d{6})(\d{2})")


class IdScanError(ValueError):
    """A scan that is not a readable licence barcode (the message says what to do)."""


@dataclass(frozen=True)
class IdScan:
    first_name: str
    last_name: str
    birth_date: date
    expires: date | None
    country: str
    issuer_iin: str
    aamva_version: int

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def looks_like_id_scan(text: str) -> bool:
    """Does this scanner burst start like a licence barcode (rather than a product code)?"""
    return text.lstrip().startswith("@") and ("ANSI" in text[:40] or "AAMVA" in text[:40])


def _date(value: str, first: str, code: str) -> date:
    digits = re.sub(r"\D", "", value)
    if len(digits) != 8:
        raise IdScanError(f"The licence's date ({code}) could not be read; type the date of birth.")
    orders = ("ymd", "mdy") if first == "ymd" else ("mdy", "ymd")
    for order in orders:
        if order == "ymd":
            year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
        else:
            month, day, year = int(digits[:2]), int(digits[2:4]), int(digits[4:])
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise IdScanError(f"The licence's date ({code}) could not be read; type the date of birth.")


def parse_aamva(text: str) -> IdScan:
    """Parse a scanned licence; raises `IdScanError` for anything that is not one."""
    raw = text.replace("\r\n", "\n")
    header = _HEADER.match(raw.lstrip())
    if header is None:
        raise IdScanError(
            "That scan is not a driver's licence barcode. Scan the large barcode on the back "
            "of the licence, or type the date of birth."
        )
    iin, version = header.group(1), int(header.group(2))
    # The first subfile ("DL" or "ID") starts right after the header's digits, with its
    # first element glued on ("...0279DLDAQ..."): give that element a line of its own.
    raw = re.sub(r"(?<=\d)(?:DL|ID)(?=[A-Z]{3})", "\n", raw, count=1)
    fields: dict[str, str] = {}
    for code, value in _ELEMENT.findall(raw):
        fields.setdefault(code, value.strip())
    if "DBB" not in fields:
        raise IdScanError("The licence's date of birth could not be read; type it instead.")
    country = (fields.get("DCG") or "").upper()  # mandatory from version 2 on
    first = "ymd" if version <= 1 or country == "CAN" else "mdy"
    born = _date(fields["DBB"], first, "date of birth")
    expires = _date(fields["DBA"], first, "expiry") if fields.get("DBA") else None
    last = fields.get("DCS", "")
    given = fields.get("DAC") or fields.get("DCT") or ""
    if not last and fields.get("DAA"):  # version 1: "LAST,FIRST,MIDDLE"
        parts = [p.strip() for p in fields["DAA"].split(",")]
        last, given = parts[0], (parts[1] if len(parts) > 1 else given)
    return IdScan(
        first_name=given.title(),
        last_name=last.title(),
        birth_date=born,
        expires=expires,
        country=country,
        issuer_iin=iin,
        aamva_version=version,
    )
