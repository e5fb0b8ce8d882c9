"""Background sync steps aside while the register is in use, but never stops for good."""

from __future__ import annotations

from tastingroom.foreground import Foreground


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_nothing_waits_when_nobody_uses_the_register():
    t = FakeTime()
    fg = Foreground(clock=t.clock, sleep=t.sleep)
    assert fg.step_aside() == 0 and t.slept == []


def test_sync_waits_until_the_register_has_been_quiet_long_enough():
    t = FakeTime()
    fg = Foreground(quiet_s=0.3, longest_s=2.0, clock=t.clock, sleep=t.sleep)
    fg.touch()
    t.now += 0.1
    assert 0.2 <= fg.step_aside() <= 0.21
    assert 0.3 <= t.now - 100.0 <= 0.31
    assert fg.step_aside() == 0  # quiet now: no second wait


def test_a_cashier_who_never_stops_scanning_slows_sync_but_never_stops_it():
    t = FakeTime()
    fg = Foreground(quiet_s=0.3, longest_s=2.0, clock=t.clock, sleep=t.sleep)

    def scanning(seconds: float) -> None:  # a key press at every moment sync sleeps
        t.slept.append(seconds)
        t.now += seconds
        fg.touch()

    fg.sleep = scanning
    fg.touch()
    assert 2.0 <= fg.step_aside() <= 2.01
    assert fg.waited_s == t.now - 100.0
