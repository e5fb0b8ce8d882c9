"""SOAP 1.1 rpc/encoded, as WineDirect's ColdFusion/Axis-1 stack speaks it.

Both directions are driven by the type definitions in `mapping`: a value is written
with every field of its type in the WSDL's order, `xsi:nil="true"` for empty ones and an
`xsi:type` on each; arrays are `soapenc:Array` with `soapenc:arrayType="ns:Type[n]"`.
Replies are read in either form Axis uses: values inline, or `href="#id"` pointers to
sibling `multiRef` elements. Reading is strict about what it needs (a number that is
not a number is an error, never a guess) and lenient about what it does not (unknown
elements are ignored, so WineDirect may add fields without breaking us).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree as ET

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAPENC = "http://schemas.xmlsoap.org/soap/encoding/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"


class SoapParseError(ValueError):
    """A message that is not the SOAP we expect (the message says where)."""


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
        text = text.strip() if self.name != "string" else text
        try:
            if self.name == "boolean":
                if text.lower() in ("true", "1"):
                    return True
                if text.lower() in ("false", "0"):
                    return False
                raise ValueError(text)
            if self.name == "double":
                number = Decimal(text)
                if not number.is_finite():
                    raise ValueError(text)
                return number
            if self.name == "dateTime":
                return parse_datetime(text)
        except (ValueError, InvalidOperation) as exc:
            raise SoapParseError(f"{where}: {text!r} is not a valid xsd:{self.name}") from exc
        return text


STRING, DOUBLE, BOOLEAN, DATETIME = (Scalar(n) for n in ("string", "double", "boolean", "dateTime"))


def parse_datetime(text: str) -> datetime:
    """An xsd:dateTime as an aware UTC datetime; one without a zone is taken as UTC,
    which is what WineDirect's V3 timestamps are."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


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


def parse_message(payload: bytes) -> Call | Fault:
    """Split an envelope into its operation (or fault) and parts; multiRefs are indexed."""
    try:
        root = ET.fromstring(payload)
    except ET.ParseError as exc:
        raise SoapParseError(f"the message is not well-formed XML ({exc})") from exc
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
    """Reads SOAP-encoded values into plain Python (dicts, lists, Decimal, datetime)."""

    def __init__(self, refs: dict[str, ET.Element]) -> None:
        self.refs = refs

    def _deref(self, element: ET.Element, seen: frozenset[str] = frozenset()) -> ET.Element:
        href = element.get("href")
        if href is None:
            return element
        ref = href.lstrip("#")
        if ref in seen:
            raise SoapParseError(f"multiRef {href} refers to itself")
        target = self.refs.get(ref)
        if target is None:
            raise SoapParseError(f"multiRef {href} is missing from the message")
        return self._deref(target, seen | {ref})

    def read(self, element: ET.Element, kind: Any, where: str) -> Any:
        element = self._deref(element)
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
            return [self.read(child, kind.item, f"{where}[{i}]") for i, child in enumerate(element)]
        if isinstance(kind, Struct):
            out: dict[str, Any] = {name: None for name, _ in kind.fields}
            types = dict(kind.fields)
            for child in element:
                name = _local(child.tag)
                if name in types:
                    out[name] = self.read(child, types[name], f"{where}.{name}")
            return out
        raise TypeError(f"cannot read {kind!r}")


def iter_parts(call: Call, expected: list[tuple[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Each expected message part read with its type (missing parts read as None)."""
    reader = Reader(call.refs)
    for name, kind in expected:
        element = call.parts.get(name)
        yield name, None if element is None else reader.read(element, kind, name)
