"""SOAP 1.1 rpc/encoded, as WineDirect's ColdFusion/Axis-1 stack speaks it.

Both directions are driven by the type definitions in `mapping`: a value is written
with every field of its type in the WSDL's order, `xsi:nil="true"` for empty ones and an
`xsi:type` on each; arrays are `soapenc:Array` with `soapenc:arrayType="ns:Type[n]"`.
Replies are read in either form Axis uses: values inline, or `href="#id"` pointers to
sibling `multiRef` elements. Reading is strict about what it needs (a number that is
not a number is an error, never a guess) and lenient about what it does not (unknown
elements are ignored, so WineDirect may add fields without breaking us).

A reply is a trust boundary, and this module holds the limits of its shape: no DTD (so no
entity is ever declared, read from a file or expanded), at most `MAX_ELEMENTS` elements
parsed, at most `MAX_VALUES` values once multiRefs are followed (followed without
recursion), and numbers and dates refused before they can cost anything to convert. The
client holds the limits of the transport (size, deadline); `mapping` the ranges of amounts
and counts.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAPENC = "http://schemas.xmlsoap.org/soap/encoding/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"

MAX_ELEMENTS = 1_000_000
"""Elements one message may hold. A parsed element costs about 100 bytes, so without this
a reply of tiny elements within the client's byte cap could build a tree of gigabytes;
a real reply (a page of orders, a product) holds a few thousand."""
MAX_VALUES = 1_000_000
"""Values (struct fields and array items) one message may expand to once its multiRefs
are followed. A small reply whose multiRefs each point to the same few many times
expands geometrically; a real one expands to about its element count."""
MAX_VALUE_CHARS = 40
"""The longest text read as a number or a date: enough for any xsd:double or xsd:dateTime
Axis writes, and short enough that converting it costs nothing."""
MAX_EXPONENT = 20
"""A number's decimal magnitude (`Decimal.adjusted()`) must be within ±this (zero
aside). `Decimal("1E+2000000")` is cheap, but turning it into an int or cents is not;
nothing WineDirect counts or prices comes near 10^20."""
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
"""Dates outside these years are not WineDirect's data (a birth date, an order, a change)
but a broken or hostile reply, and one such stamp would carry a high-water mark away."""


class SoapParseError(ValueError):
    """A message that is not the SOAP we expect (the message says where)."""


class ExpansionError(SoapParseError):
    """The whole reply is too large once expanded: nothing in it is to be trusted."""


@dataclass(frozen=True)
class Unreadable:
    """One record of a search's array that could not be read (a price of 1E+30, say).

    A lenient `Reader` puts this in its place, so that one bad record does not make the
    other ninety-nine of its page unreadable. `key` is the record's id when that could
    be read."""

    reason: str
    key: str | None


class Scalar:
    """An XML Schema built-in type, with its conversions to and from text."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"xsd:{self.name}"

    def to_text(self, value: Any) -> str:
        if self.name == "boolean":
            return "true" if value else "false"
        if self.name == "double":
            if isinstance(value, float):
                raise TypeError("doubles are written from Decimal or int, never float")
            if isinstance(value, Decimal) and not value.is_finite():
                raise ValueError(f"{value} is not an amount")
            return str(value)
        if self.name == "dateTime":
            if not isinstance(value, datetime) or value.tzinfo is None:
                raise TypeError("dateTimes must be timezone-aware datetimes")
            stamp = value.astimezone(UTC)
            return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
        return str(value)

    def from_text(self, text: str, where: str) -> Any:
        if self.name == "string":
            return text
        text = text.strip()
        try:
            if self.name == "boolean":
                if text.lower() in ("true", "1"):
                    return True
                if text.lower() in ("false", "0"):
                    return False
                raise ValueError(text)
            if self.name == "double":
                return parse_double(text)
            if self.name == "dateTime":
                return parse_datetime(text)
        except OutOfRange as exc:
            raise SoapParseError(f"{where}: {_shown(text)} is out of range ({exc})") from None
        except ValueError:
            raise SoapParseError(
                f"{where}: {_shown(text)} is not a valid xsd:{self.name}"
            ) from None
        return text


STRING, DOUBLE, BOOLEAN, DATETIME = (Scalar(n) for n in ("string", "double", "boolean", "dateTime"))


class OutOfRange(ValueError):
    """A well-formed number or date beyond what a reply may carry (the message says which
    bound)."""


_DOUBLE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""xsd:double's lexical form, ASCII digits only (`Decimal` would also take "1_000", "NaN"
and other scripts' digits), without INF and NaN: neither is a count or an amount."""


def parse_double(text: str) -> Decimal:
    """An xsd:double as an exact Decimal, refused (ValueError) unless it is short and of
    a sane magnitude; the checks come before anything costs time."""
    if len(text) > MAX_VALUE_CHARS:
        raise OutOfRange(f"longer than {MAX_VALUE_CHARS} characters")
    if not _DOUBLE.fullmatch(text):
        raise ValueError(text)
    number = Decimal(text)
    if not number:
        return Decimal(0)  # "0E+999" is zero, and cheap once it is written as 0
    if not -MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        raise OutOfRange(f"beyond 10^±{MAX_EXPONENT}")
    return number


def parse_datetime(text: str) -> datetime:
    """An xsd:dateTime as an aware UTC datetime; one without a zone is taken as UTC,
    which is what WineDirect's V3 timestamps are. Refused (ValueError) when it is not
    within `EARLIEST_YEAR`..`LATEST_YEAR`."""
    value = text.strip()
    if len(value) > MAX_VALUE_CHARS:
        raise OutOfRange(f"longer than {MAX_VALUE_CHARS} characters")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise OutOfRange(f"not between {EARLIEST_YEAR} and {LATEST_YEAR}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _shown(text: str) -> str:
    """A value from a message, quoted for an error message and cut to `MAX_VALUE_CHARS`:
    the value is the sender's, and may be as long as the whole message."""
    cut = len(text) > MAX_VALUE_CHARS
    return repr(text[:MAX_VALUE_CHARS] + "…") if cut else repr(text)


@dataclass
class Struct:
    """A complex type: a name in a namespace and its fields in the WSDL's order."""

    namespace: str
    name: str
    fields: list[tuple[str, Any]] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"{{{self.namespace}}}{self.name}"

    def field_type(self, name: str) -> Any:
        for field_name, kind in self.fields:
            if field_name == name:
                return kind
        raise KeyError(f"{self!r} has no field {name}")


@dataclass
class Array:
    """A SOAP-encoded array of `item`; `namespace`/`name` are the WSDL's ArrayOf_ type."""

    namespace: str
    name: str
    item: Any

    def __repr__(self) -> str:
        return f"{{{self.namespace}}}{self.name}[{self.item!r}]"


# --- writing --------------------------------------------------------------------------


class _Prefixes:
    """Namespace prefixes for one message, declared once on the envelope."""

    def __init__(self) -> None:
        self.by_uri: dict[str, str] = {}
        self._counter = itertools.count(1)

    def __call__(self, uri: str) -> str:
        if uri not in self.by_uri:
            self.by_uri[uri] = f"ns{next(self._counter)}"
        return self.by_uri[uri]


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry at all, not even escaped: one of them in a name would
make every message it travels in a SOAP Fault. They are refused where text enters the
register; this is the last guard, so that what we send is always well-formed."""


def _escape(text: str) -> str:
    text = _NOT_XML.sub("", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


class Writer:
    """Writes values of `mapping` types as SOAP-encoded XML text.

    With `multiref=True` every struct below the top level becomes a `multiRef` element
    after the body's first child, as Axis writes replies; otherwise values are inline.
    """

    def __init__(self, multiref: bool = False) -> None:
        self.multiref = multiref
        self.ns = _Prefixes()
        self.refs: list[str] = []
        self._ids = itertools.count()

    def value(self, tag: str, kind: Any, value: Any, *, top: bool = False) -> str:
        if value is None:
            return f'<{tag} xsi:nil="true"/>'
        if isinstance(kind, Scalar):
            return f'<{tag} xsi:type="xsd:{kind.name}">{_escape(kind.to_text(value))}</{tag}>'
        if isinstance(kind, Array):
            items = list(value)
            item_type = kind.item
            if isinstance(item_type, Struct):
                array_type = f"{self.ns(item_type.namespace)}:{item_type.name}[{len(items)}]"
            else:
                array_type = f"xsd:{item_type.name}[{len(items)}]"
            inner = "".join(self.value("item", item_type, item) for item in items)
            return (
                f'<{tag} xsi:type="soapenc:Array" soapenc:arrayType="{array_type}">{inner}</{tag}>'
            )
        if isinstance(kind, Struct):
            body = self.struct_body(kind, value)
            type_attr = f'xsi:type="{self.ns(kind.namespace)}:{kind.name}"'
            if self.multiref and not top:
                ref = f"id{next(self._ids)}"
                self.refs.append(
                    f'<multiRef id="{ref}" soapenc:root="0" '
                    f'soapenv:encodingStyle="{SOAPENC}" {type_attr}>{body}</multiRef>'
                )
                return f'<{tag} href="#{ref}"/>'
            return f"<{tag} {type_attr}>{body}</{tag}>"
        raise TypeError(f"cannot write {kind!r}")

    def struct_body(self, kind: Struct, value: dict[str, Any]) -> str:
        unknown = set(value) - {name for name, _ in kind.fields}
        if unknown:
            raise KeyError(f"{kind!r} has no field(s) {sorted(unknown)}")
        return "".join(self.value(name, t, value.get(name)) for name, t in kind.fields)

    def envelope(self, body: str) -> bytes:
        declarations = " ".join(f'xmlns:{p}="{uri}"' for uri, p in self.ns.by_uri.items())
        text = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<soapenv:Envelope xmlns:soapenv="{SOAPENV}" xmlns:xsd="{XSD}" xmlns:xsi="{XSI}" '
            f'xmlns:soapenc="{SOAPENC}" {declarations}>'
            f"<soapenv:Body>{body}{''.join(self.refs)}</soapenv:Body></soapenv:Envelope>"
        )
        return text.encode("utf-8")


def build_call(
    namespace: str, operation: str, parts: list[tuple[str, Any, Any]], *, multiref: bool = False
) -> bytes:
    """An rpc/encoded message: `<ns:operation>` holding one element per message part."""
    writer = Writer(multiref=multiref)
    prefix = writer.ns(namespace)
    inner = "".join(writer.value(name, kind, value) for name, kind, value in parts)
    body = f'<{prefix}:{operation} soapenv:encodingStyle="{SOAPENC}">{inner}</{prefix}:{operation}>'
    return writer.envelope(body)


def build_fault(code: str, message: str, detail: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAPENV}"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>{_escape(code)}</faultcode><faultstring>{_escape(message)}</faultstring>"
        f"<detail>{_escape(detail)}</detail>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    ).encode()


# --- reading --------------------------------------------------------------------------


@dataclass
class Fault:
    code: str
    message: str
    detail: str


@dataclass
class Call:
    """A parsed message: the operation element's name and namespace, and its parts."""

    namespace: str
    operation: str
    parts: dict[str, ET.Element]
    refs: dict[str, ET.Element]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


class _TreeBuilder(ET.TreeBuilder):
    """ElementTree's builder, refusing any DTD (so that no entity is ever declared, let
    alone read from a local file or expanded a billion times) and counting elements as
    they open, so that a reply past `MAX_ELEMENTS` stops while it is being read."""

    def __init__(self) -> None:
        super().__init__()
        self.elements = 0

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise SoapParseError("the message declares a DTD, which is never read")

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise SoapParseError(f"the message holds more than {MAX_ELEMENTS:,} elements")
        return super().start(tag, attrs)


def _parse_xml(chunks: Iterable[bytes]) -> ET.Element:
    parser = ET.XMLParser(target=_TreeBuilder())
    try:
        for chunk in chunks:
            parser.feed(chunk)
        return parser.close()
    except SoapParseError:
        raise
    except (ET.ParseError, LookupError, ValueError) as exc:  # also an encoding expat lacks
        raise SoapParseError(f"the message is not well-formed XML ({exc})") from None


def parse_message(payload: bytes | Iterable[bytes]) -> Call | Fault:
    """Split an envelope into its operation (or fault) and parts; multiRefs are indexed.

    `payload` may be the message's bytes or an iterable of its chunks as they arrive
    (each is parsed as it comes, so a reply is never held twice, and an error raised by
    the iterable, such as the client's size cap, ends the parse)."""
    root = _parse_xml((payload,) if isinstance(payload, bytes) else payload)
    if root.tag != f"{{{SOAPENV}}}Envelope":
        raise SoapParseError("the message is not a SOAP 1.1 envelope")
    body = root.find(f"{{{SOAPENV}}}Body")
    if body is None or len(body) == 0:
        raise SoapParseError("the SOAP envelope has no body")
    refs = {el.get("id"): el for el in body if el.get("id") is not None}
    main = next((el for el in body if el.get("id") is None), None)
    if main is None:
        raise SoapParseError("the SOAP body holds only multiRef elements")
    if main.tag == f"{{{SOAPENV}}}Fault":
        return Fault(
            code=(main.findtext("faultcode") or "").strip(),
            message=(main.findtext("faultstring") or "").strip(),
            detail="".join(main.find("detail").itertext()).strip()
            if main.find("detail") is not None
            else "",
        )
    parts = {_local(child.tag): child for child in main}
    return Call(_namespace(main.tag), _local(main.tag), parts, refs)


class Reader:
    """Reads SOAP-encoded values into plain Python (dicts, lists, Decimal, datetime).

    Recursion follows the type (a `mapping` type is a finite tree, so its depth is the
    type's), never the message: multiRef pointers are followed in a loop. A value that
    several pointers share is read once and is the same object wherever it is referred
    to, which is what SOAP encoding means by it (Axis does the same); it still counts
    its whole size each time against `MAX_VALUES`, as every struct field and array item
    does before it is read, so a reply whose multiRefs fan out is refused as soon as it
    passes the bound, before the work.
    """

    def __init__(
        self, refs: dict[str, ET.Element], *, lenient: bool = False, keys: tuple[str, ...] = ()
    ) -> None:
        self.refs = refs
        self.lenient = lenient
        """Records of the reply's own arrays that cannot be read become `Unreadable`."""
        self.keys = keys
        """Field names that identify a record (its WineDirect id), for `Unreadable.key`."""
        self._depth = 0
        self.values = 0
        self._targets: dict[str, ET.Element] = {}
        """Each multiRef id already followed -> the element its chain ends at."""
        self._shared: dict[tuple[int, int], tuple[Any, int]] = {}
        """(element, type) already read through a pointer -> (value, values it counted)."""

    def _deref(self, element: ET.Element) -> ET.Element:
        """The element `element` stands for: itself, or where its chain of `href`s ends."""
        href = element.get("href")
        if href is None:
            return element
        chain: dict[str, None] = {}  # the ids followed this time, in order
        ref = href.removeprefix("#")
        while ref not in self._targets:
            if ref in chain:
                raise SoapParseError(f"multiRef {_shown('#' + ref)} refers back to itself")
            target = self.refs.get(ref)
            if target is None:
                raise SoapParseError(f"multiRef {_shown('#' + ref)} is missing from the message")
            chain[ref] = None
            href = target.get("href")
            if href is None:
                self._targets[ref] = target
                break
            ref = href.removeprefix("#")
        target = self._targets[ref]
        self._targets.update(dict.fromkeys(chain, target))
        return target

    def _spend(self, count: int) -> None:
        self.values += count
        if self.values > MAX_VALUES:
            raise ExpansionError(f"the reply expands too far (past {MAX_VALUES:,} values)")

    def read(self, element: ET.Element, kind: Any, where: str) -> Any:
        if element.get("href") is None:
            return self._read(element, kind, where)
        target = self._deref(element)
        key = (id(target), id(kind))
        if key in self._shared:
            value, size = self._shared[key]
            self._spend(size)
            return value
        before = self.values
        value = self._read(target, kind, where)
        self._shared[key] = (value, self.values - before)
        return value

    def _read(self, element: ET.Element, kind: Any, where: str) -> Any:
        if element.get(f"{{{XSI}}}nil") in ("true", "1"):
            return None
        if isinstance(kind, Scalar):
            if len(element):
                raise SoapParseError(f"{where}: expected a {kind!r} value, found elements")
            text = element.text or ""
            if kind is not STRING and not text.strip():
                return None
            return kind.from_text(text, where)
        if isinstance(kind, Array):
            self._spend(len(element))
            if self.lenient and self._depth == 1 and isinstance(kind.item, Struct):
                return [
                    self._record(child, kind.item, f"{where}[{i}]")
                    for i, child in enumerate(element)
                ]
            return [self.read(child, kind.item, f"{where}[{i}]") for i, child in enumerate(element)]
        if isinstance(kind, Struct):
            self._spend(len(kind.fields))
            out: dict[str, Any] = {name: None for name, _ in kind.fields}
            types = dict(kind.fields)
            self._depth += 1
            try:
                for child in element:
                    name = _local(child.tag)
                    if name in types:
                        out[name] = self.read(child, types[name], f"{where}.{name}")
            finally:
                self._depth -= 1
            return out
        raise TypeError(f"cannot read {kind!r}")

    def _record(self, element: ET.Element, kind: Struct, where: str) -> Any:
        """One record of a reply's array; `Unreadable` if it alone is at fault."""
        try:
            return self.read(element, kind, where)
        except ExpansionError:
            raise
        except SoapParseError as exc:
            return Unreadable(str(exc), self._key_of(self._deref(element)))

    def _key_of(self, element: ET.Element) -> str | None:
        """The record's id, read as plain text from its id field when that is short."""
        for child in element:
            if _local(child.tag) in self.keys and not len(child):
                text = (child.text or "").strip()
                return text if 0 < len(text) <= 64 else None
        return None


def iter_parts(call: Call, expected: list[tuple[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Each expected message part read with its type (missing parts read as None)."""
    reader = Reader(call.refs)
    for name, kind in expected:
        element = call.parts.get(name)
        yield name, None if element is None else reader.read(element, kind, name)
