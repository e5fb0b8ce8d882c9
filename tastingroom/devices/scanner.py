"""Telling a keyboard-wedge scanner from a person typing.

A barcode scanner in keyboard mode "types" a whole code in a few milliseconds per key
and ends it with Enter; people type a key every 80 ms or more. The register feeds every
key press here, wherever focus is: while keys come fast they are held back, and a burst
ended by Enter becomes one scan of a product code. Keys that turn out to be a person
typing are handed back, in order, to the widget that has focus.

A licence is different: its barcode carries line breaks of its own, which a scanner types
as Enter, CR LF or Tab, and it may start with a configured prefix (`]L2@...`). From the
moment a burst could still be a licence (`idscan.could_be_licence`), its Enters and Tabs
are part of it, a pause of up to `licence_gap_ms` does not end it (2D scanners stall
now and then mid-barcode), and it ends on the pause after its last key, as one scan. No
key of it is ever handed back, so no part of a licence reaches a field or a message; nor
does the rest of one after a stall longer than that (a fast burst that starts like a
licence's element, `DAQ...`, is a scan even without its Enter), which the window then
refuses without showing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tastingroom.selling.idscan import could_be_licence, looks_like_licence_part

ENTER = "\r"
TAB = "\t"
LINE_BREAKS = (ENTER, "\n", TAB)
"""What a scanner types for a licence's line feeds: Enter (CR), LF, or Tab."""


@dataclass
class BurstDetector:
    max_gap_ms: float = 35.0
    """The longest pause between two keys of one product scan."""
    licence_gap_ms: float = 250.0
    """The longest pause inside a licence burst."""
    min_length: int = 4
    """Shorter bursts are fast typists, not scanners."""
    _held: list[tuple[str, Any]] = field(default_factory=list)
    _last_ms: float | None = None

    def _text(self) -> str:
        return "".join(c for c, _ in self._held)

    @property
    def licence(self) -> bool:
        """Is the burst being held (so far) the start of a licence?"""
        return bool(self._held) and could_be_licence(self._text())

    @property
    def quiet_ms(self) -> float:
        """The pause that ends the burst being held."""
        return self.licence_gap_ms if self.licence else self.max_gap_ms

    def key(self, char: str, at_ms: float, item: Any = None) -> tuple[str | None, list[Any]]:
        """Feed one key press; returns (a completed scan or None, keys to give back).

        `item` is what is given back for this key (the window passes the key event itself,
        to replay it); it defaults to the character. A Tab is a key like any other here;
        the window feeds one only while a burst is held, so that a person's Tab moves
        focus at once.
        """
        item = char if item is None else item
        slow = self._last_ms is not None and at_ms - self._last_ms > self.quiet_ms
        self._last_ms = at_ms
        ended: str | None = None
        released: list[Any] = []
        if slow:  # the pause ended what was held, even if `idle` was not asked in time
            ended, released = self._finish()
        if char in LINE_BREAKS and self.licence:
            self._held.append((char, item))  # a licence's own line break; ends on a pause
            return ended, released
        if char in LINE_BREAKS:
            if char != TAB and len(self._held) >= self.min_length:
                scan, self._held = self._text(), []
                return scan, released
            released += [*(i for _, i in self._held), item]
            self._held = []
            return ended, released
        self._held.append((char, item))
        return ended, released

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def idle(self, now_ms: float) -> tuple[str | None, list[Any]]:
        """After a pause: a licence burst, or what looks like a piece of one, is complete
        (a scan); other held keys were a person typing and are given back."""
        if not self._held or self._last_ms is None or now_ms - self._last_ms <= self.quiet_ms:
            return None, []
        return self._finish()

    def _finish(self) -> tuple[str | None, list[Any]]:
        """End the burst held: a scan, or keys to give back."""
        licence = self.licence
        text = self._text()
        held, self._held = self._held, []
        if len(held) >= self.min_length and (licence or looks_like_licence_part(text)):
            # A product code ending in "@" ends here too, without its Enter.
            return text.rstrip("".join(LINE_BREAKS)), []
        return None, [i for _, i in held]
