from __future__ import annotations

from tastingroom.devices.scanner import BurstDetector


def feed(detector: BurstDetector, text: str, start: float, gap: float):
    scans, released = [], []
    t = start
    for ch in text:
        scan, back = detector.key(ch, t)
        released += back
        if scan:
            scans.append(scan)
        t += gap
    return scans, released, t


def test_a_scanner_burst_is_one_scan_and_nothing_leaks():
    d = BurstDetector()
    scans, released, _ = feed(d, "0850012000198\r", 0, 4)
    assert scans == ["0850012000198"] and released == []


def test_a_person_typing_gets_every_key_back_in_order():
    d = BurstDetector()
    scans, released, t = feed(d, "pinot", 0, 150)
    scan, back = d.idle(t + 200)
    released += back
    assert scan is None
    assert scans == [] and "".join(released) == "pinot"


def test_a_short_fast_burst_is_typing_not_a_scan():
    d = BurstDetector()
    scans, released, _ = feed(d, "ab\r", 0, 5)
    assert scans == [] and released == ["a", "b", "\r"]


def test_typing_then_a_scan():
    d = BurstDetector()
    scans, released, t = feed(d, "ro", 0, 120)
    more_scans, more_released, _ = feed(d, "CHD22-6\r", t + 500, 3)
    assert scans == [] and more_scans == ["CHD22-6"]
    assert "".join(released + more_released) == "ro"


def test_a_licence_keeps_its_line_breaks_and_ends_on_the_pause():
    d = BurstDetector()
    typed = "@\r\rANSI 636014090001DLDBB07041975\rDCSOKAFOR\r"
    scans, released, t = feed(d, typed, 0, 3)
    assert scans == [] and released == []
    assert d.idle(t + 100) == (None, [])  # a 2D scanner may stall mid-barcode
    scan, back = d.idle(t + d.licence_gap_ms + 1)
    assert back == [] and scan.startswith("@\r\rANSI") and scan.endswith("\rDCSOKAFOR")
