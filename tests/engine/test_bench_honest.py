"""The bench's verdicts: a drain figure passes only when the rate limit really bound and
the drain used it well, and a pull figure only near the fewest requests its data needs."""

from __future__ import annotations

from tastingroom.bench.targets import Exchange, drain_figure, pull_figure

LIMIT, BATCH = 120, 25
START = 1_800_000_000  # a window's reset, as epoch seconds: windows are 60 s apart


def limited_drain(per_window: list[int], orders_each: int = BATCH) -> list[Exchange]:
    """Requests as the simulator counted them, window after window."""
    return [
        Exchange(START + 60 * n, orders_each)
        for n, requests in enumerate(per_window)
        for _ in range(requests)
    ]


def figure(exchanges: list[Exchange], rate_limited: int = 3, elapsed_s: float = 200.0):
    orders = sum(e.orders for e in exchanges)
    return drain_figure("drain", orders, BATCH, LIMIT, exchanges, rate_limited, elapsed_s)


def test_a_drain_that_fills_every_whole_window_meets_the_target():
    result = figure(limited_drain([120, 120, 120, 40]))
    assert result.met is True
    assert "100.0% of the ceiling over 2 whole minute(s)" in result.note
    assert "3 x 429" in result.note


def test_a_limit_that_never_bound_fails_however_fast_the_drain():
    """The old bench's "282% of the ceiling": 400 requests inside one window, no 429."""
    result = figure(limited_drain([400]), rate_limited=0, elapsed_s=30.0)
    assert result.met is False
    assert "the limit never bound (no 429)" in result.note


def test_writes_the_limit_did_not_count_fail_the_figure():
    exchanges = limited_drain([120, 120, 120]) + [Exchange(None, BATCH)] * 5
    result = figure(exchanges)
    assert result.met is False
    assert "the limit did not apply to 5 request(s)" in result.note


def test_a_drain_within_one_window_boundary_cannot_be_judged():
    result = figure(limited_drain([120, 60]))
    assert result.met is False
    assert "did not span a whole rate-limit window" in result.note


def test_more_than_the_limit_in_a_window_is_over_100_percent_and_fails():
    result = figure(limited_drain([120, 130, 120, 10]))
    assert result.met is False
    assert "104.2% of the ceiling" in result.note and "busiest 130/120" in result.note


def test_a_window_skipped_after_a_429_falls_below_95_percent():
    """An engine that waits past the reset leaves a whole window empty."""
    result = figure(limited_drain([120, 120, 0, 120, 20]))
    assert result.met is False
    assert "66.7% of the ceiling over 3 whole minute(s)" in result.note


def test_requests_wasted_on_reads_fall_below_95_percent():
    """A scan started again after each 429 spends the windows on reads, not orders."""
    reads = [Exchange(START + 60 * n, 0) for n in (1, 2) for _ in range(20)]
    writes = limited_drain([120, 100, 100, 30])
    result = figure(writes + reads)
    assert result.met is False
    assert "83.3% of the ceiling" in result.note


def test_a_pull_near_its_floor_meets_and_says_the_time_the_real_limit_implies():
    result = pull_figure("pull", 20_040, 5_006, 100, 5_207, 0, 77.0)
    assert result.met is True
    assert "floor of 5,207 (201 pages of 100 + 5,006 pickups pending here) = 100.0%" in result.note
    assert "under WineDirect's 480/min: 10.8 min" in result.note


def test_a_pull_that_restarts_its_scans_misses():
    """Old main under the limit: every 429 restarted paging."""
    assert pull_figure("pull", 20_040, 5_006, 100, 6_985, 1_700, 882.0).met is False


def test_a_pull_under_the_limit_may_not_take_much_longer_than_the_limit_implies():
    implied_s = 5_217 / 480 * 60
    on_time = pull_figure("pull", 20_040, 5_006, 100, 5_217, 10, 0.86 * implied_s, 480)
    assert on_time.met is True  # the first window grants its allowance at once
    late = pull_figure("pull", 20_040, 5_006, 100, 5_217, 10, 1.2 * implied_s, 480)
    assert late.met is False


def test_the_bench_command_fails_when_a_target_is_missed(monkeypatch, capsys):
    from tastingroom.bench import targets as bench
    from tastingroom.cli import main

    missed = bench.Figure("register memory", 1, None, None, "<= 138 MiB", False)
    met = bench.Figure("search", 1, 0.1, 0.2, "<= 5 ms", True)
    monkeypatch.setattr(bench, "run", lambda quick: [met, missed])
    assert main(["bench"]) == 1
    assert "1 target(s) missed: register memory" in capsys.readouterr().err
    assert main(["bench", "--quick"]) == 0  # a smoke run at small sizes, not targets
    monkeypatch.setattr(bench, "run", lambda quick: [met])
    assert main(["bench"]) == 0
