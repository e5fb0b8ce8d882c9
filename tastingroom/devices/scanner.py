"""Telling a keyboard-wedge scanner from a person typing.

A barcode scanner in keyboard mode "types" a whole code in a few milliseconds per key
and ends it with Enter; people type a key every 80 ms or more. The register feeds every
key press here, wherever focus is: while keys come fast they are held back, and a burst
ended by Enter becomes one scan of a product code. A licence (a burst starting with "@")
carries line breaks of its own, so it ends on the pause after its last key instead.
Keys that turn out to be a person typing are handed back, in order, to the widget that
has focus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ENTER = "\r"


@dataclass
class BurstDetector:
    max_gap_ms: float = 35.0
    """The longest pause between two keys of one scan."""
    min_length: int = 4
    """Shorter bursts are fast typists, not scanners."""
    _held: list[tuple[str, Any]] = field(default_factory=list)
    _last_ms: float | None = None

    def key(self, char: str, at_ms: float, item: Any = None) -> tuple[str | None, list[Any]]:
        """Feed one key press; returns (a completed scan or None, keys to give back).

        `item` is what is given back for this key (the window passes the key event itself,
        to replay it); it defaults to the character.
        """
        item = char if item is None else item
        slow = self._last_ms is not None and at_ms - self._last_ms > self.max_gap_ms
        self._last_ms = at_ms
        released: list[Any] = []
        if slow:
            released, self._held = [i for _, i in self._held], []
        is_licence = bool(self._held) and self._held[0][0] == "@"
        if char in (ENTER, "\n") and is_licence:
            self._held.append(("\n", item))  # a licence carries line breaks; ends on a pause
            return None, released
        if char in (ENTER, "\n"):
            if len(self._held) >= self.min_length:
                scan, self._held = "".join(c for c, _ in self._held), []
                return scan, released
            released += [*(i for _, i in self._held), item]
            self._held = []
            return None, released
        self._held.append((char, item))
        return None, released

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def idle(self, now_ms: float) -> tuple[str | None, list[Any]]:
        """After a pause: a licence burst is complete (a scan); other held keys were a
        person typing and are given back."""
        if not self._held or self._last_ms is None or now_ms - self._last_ms <= self.max_gap_ms:
            return None, []
        held, self._held = self._held, []
        if held[0][0] == "@" and len(held) >= self.min_length:
            return "".join(c for c, _ in held), []
        return None, [i for _, i in held]
