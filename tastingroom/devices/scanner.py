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

ENTER = "\r"


@dataclass
class BurstDetector:
    max_gap_ms: float = 35.0
    """The longest pause between two keys of one scan."""
    min_length: int = 4
    """Shorter bursts are fast typists, not scanners."""
    _held: list[str] = field(default_factory=list)
    _last_ms: float | None = None

    def key(self, char: str, at_ms: float) -> tuple[str | None, list[str]]:
        """Feed one key press; returns (a completed scan or None, keys to give back)."""
        slow = self._last_ms is not None and at_ms - self._last_ms > self.max_gap_ms
        self._last_ms = at_ms
        released: list[str] = []
        if slow:
            released, self._held = self._held, []
        if char in (ENTER, "\n") and self._held[:1] == ["@"] and not slow:
            self._held.append("\n")  # a licence carries line breaks; it ends on a pause
            return None, released
        if char in (ENTER, "\n"):
            if len(self._held) >= self.min_length and not slow:
                scan, self._held = "".join(self._held), []
                return scan, released
            released += [*self._held, char]
            self._held = []
            return None, released
        self._held.append(char)
        return None, released

    def idle(self, now_ms: float) -> tuple[str | None, list[str]]:
        """After a pause: a licence burst is complete (a scan); other held keys were a
        person typing and are given back."""
        if not self._held or self._last_ms is None or now_ms - self._last_ms <= self.max_gap_ms:
            return None, []
        held, self._held = self._held, []
        text = "".join(held)
        if held[0] == "@" and len(held) >= self.min_length:
            return text, []
        return None, held
