"""Receipts: real ESC/POS bytes, accents in the right code page, one write to a printer."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from tastingroom.demo.winery import ring_demo_sales
from tastingroom.devices.printer import PrinterConfig, PrinterError, send
from tastingroom.devices.receipt import ReceiptError, build_receipt, drawer_kick, receipt_text
from tastingroom.selling.sales import Register
from tastingroom.store.database import Database


def a_sale(register: Register, cashier, *codes: str, cash: bool = True):
    from datetime import date

    from tastingroom.selling.age import check_birth_date
    from tastingroom.selling.cart import Cart
    from tastingroom.selling.tenders import TenderInput, TenderKind

    cart = Cart(staff_id=cashier.id)
    for code in codes:
        cart.add(register.catalog.by_barcode(code))
    total = register.price(cart).total_cents
    tender = (
        TenderInput(TenderKind.CASH, total + 500)
        if cash
        else TenderInput(
            TenderKind.CARD, total, card_type="Visa", card_last4="4242", approval_code="A1B2C3"
        )
    )
    return register.commit(
        cart, cashier, [tender], check_birth_date(register.settings, cashier.id, date(1980, 1, 1))
    )


def test_receipt_bytes(demo_db: Database, register: Register, cashier):
    sale = a_sale(register, cashier, "ROS24", "GEW23", "FOOD-OLIVE")
    receipt = build_receipt(demo_db, sale.order_id)
    data = receipt.data
    assert data.startswith(b"\x1b@\x1bt") and data.rstrip().endswith(b"\x1dV\x00")
    assert "Rosé".encode("cp858") in data and "Gewürztraminer".encode("cp858") in data
    assert b"TR1-000001" in data and b"\x1dkI" in data  # number as a CODE128 barcode
    assert receipt.opens_drawer
    text = receipt_text(data)
    assert "Vallée Lune Winery" in text and "1 x Rosé of Pinot Noir 2024" in text
    assert "TOTAL" in text and "Change" in text and "Age checked: Date of birth typed" in text
    assert "Tax 8.625%" in text and "|| TR1-000001 ||" in text
    widths = {len(line) for line in text.splitlines()}
    assert max(widths) <= 42


def test_card_receipts_show_only_the_last_four_and_keep_the_drawer_shut(register, cashier, demo_db):
    sale = a_sale(register, cashier, "PN22", cash=False)
    receipt = build_receipt(demo_db, sale.order_id)
    text = receipt_text(receipt.data)
    assert "Visa ****4242 auth A1B2C3" in text and not receipt.opens_drawer
    copy = build_receipt(demo_db, sale.order_id, reprint=True)
    assert "(copy)" in receipt_text(copy.data)


def test_unknown_order(demo_db):
    with pytest.raises(ReceiptError):
        build_receipt(demo_db, "no-such-order")


def test_drawer_kick_is_the_escpos_pulse():
    assert drawer_kick().startswith(b"\x1b@\x1bp\x00")  # a reset, then the pulse


def test_one_write_to_a_network_printer(demo_db, register, cashier):
    sale = ring_demo_sales(demo_db, 1, seed=3)[0]
    data = build_receipt(demo_db, sale.order_id).data
    received = bytearray()
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def printer() -> None:
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=printer)
    thread.start()
    assert send(PrinterConfig("network", host="127.0.0.1", port=port), data)
    thread.join(timeout=10)
    server.close()
    assert bytes(received) == data


def test_file_printer_and_no_printer(tmp_path: Path):
    target = tmp_path / "lp0"
    assert send(PrinterConfig("file", path=str(target)), b"\x1b@hello")
    assert target.read_bytes() == b"\x1b@hello"
    assert send(PrinterConfig("none"), b"x") is False


def test_an_absent_printer_is_a_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(PrinterError, match=f"printer at 127.0.0.1:{port} did not answer"):
        send(PrinterConfig("network", host="127.0.0.1", port=port), b"x")


def test_an_exchange_prints_one_receipt_with_the_return_and_the_new_sale(
    demo_db: Database, register: Register, cashier, manager
):
    from tastingroom.people.staff import Action, approve
    from tastingroom.selling.cart import Cart
    from tastingroom.selling.refunds import ReturnLine, commit_exchange, quote_refund
    from tastingroom.selling.tenders import TenderInput, TenderKind

    sale = a_sale(register, cashier, "ROS24")
    ok = approve(demo_db, Action.REFUND, cashier.id, manager.id, "2222")
    cart = Cart(staff_id=cashier.id)
    cart.add(register.catalog.by_barcode("FOOD-OLIVE"))
    back = quote_refund(register, sale.order_id, [ReturnLine(1, 1)]).total_cents
    back -= register.price(cart).total_cents
    done = commit_exchange(
        register, sale.order_id, [ReturnLine(1, 1)], cart, cashier, ok,
        [TenderInput(TenderKind.CASH, back)],
    )  # fmt: skip
    receipt = build_receipt(demo_db, done.sale.order_id)
    assert build_receipt(demo_db, done.refund.order_id).data == receipt.data  # either half
    data = receipt.data
    assert data.count(b"\x1dV") == 1 and data.count(b"\x1dk") == 1  # one cut, one barcode
    assert b"{B" + done.sale.number.encode() in data and receipt.opens_drawer
    text = receipt_text(data)
    assert f"Exchange {done.sale.number}" in text and f"Returned from {sale.number}" in text
    assert "1 x Rosé of Pinot Noir 2024" in text and "1 x Marinated Olives" in text
    settled = next(line for line in text.splitlines() if line.startswith("BACK TO GUEST"))
    assert settled.endswith(f" ${back / 100:.2f}") and len(settled) == 42  # at the edge
    assert "Cash back" in text and "Exchange credit" not in text
    assert max(len(line) for line in text.splitlines()) <= 42
