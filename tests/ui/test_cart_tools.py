"""The product grid, packs, discounts, price overrides and shipping, driven by taps."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from tastingroom.store.models import AuditEntry, Customer, Order
from ui.main_window import MainWindow
from ui.product_grid import FAVOURITES

from .test_cart_editing import approve_as
from .test_selling import check_age, ring


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_tiles_and_category_tabs_put_products_in_the_cart(qtbot, signed_in: MainWindow):
    window = signed_in
    grid = window.selling.grid
    assert grid.current_tab == FAVOURITES
    tap(qtbot, grid.tiles[0])
    assert len(window.selling.cart.lines) == 1
    tap(qtbot, grid.tab_buttons["Red"])
    assert grid.current_tab == "Red"
    assert all("\n$" in t.text() for t in grid.tiles)
    tap(qtbot, grid.tile_for("Estate Pinot Noir 2022"))
    assert window.selling.cart.lines[-1].item.code == "PN22"
    tap(qtbot, grid.tab_buttons["Tastings"])
    tap(qtbot, grid.tile_for("Vineyard Tour & Tasting"))  # "&" shown, not a shortcut
    assert grid.tile_for("Vineyard Tour & Tasting").text().startswith("Vineyard Tour &&\n")
    assert window.selling.table.rowCount() == 3


def test_pack_up_is_free_and_pack_down_needs_a_manager(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "CHD22")
    window.selling.table.selectRow(0)
    tap(qtbot, window.selling.pack_button)
    dialog = window.selling.line_dialog
    qtbot.waitUntil(dialog.isVisible)
    case = window.register.catalog.by_barcode("CHD22-12")
    assert "12 bottles" in dialog.buttons[case.sku_id].text()
    tap(qtbot, dialog.buttons[case.sku_id])
    assert window.selling.cart.lines[0].item is case and window.selling.approval_dialog is None
    assert "Case of 12" in window.selling.table.item(0, 0).text()

    window.selling.table.selectRow(0)
    tap(qtbot, window.selling.pack_button)
    bottle = window.register.catalog.by_barcode("CHD22")
    tap(qtbot, window.selling.line_dialog.buttons[bottle.sku_id])
    approve_as(qtbot, window, "Morgan Lee", "2222")
    qtbot.waitUntil(lambda: window.selling.cart.lines[0].item is bottle)


def test_a_small_discount_applies_a_big_one_needs_a_manager(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "CS21", "PN22")
    window.selling.table.selectRow(0)
    tap(qtbot, window.selling.discount_button)
    dialog = window.selling.line_dialog
    qtbot.waitUntil(dialog.isVisible)
    tap(qtbot, dialog.apply)
    assert "how much" in dialog.messages.text("discount")  # nothing typed: said under the field
    qtbot.keyClicks(dialog.value, "10")
    dialog.reason.setCurrentText("Industry")
    assert dialog.preview.text() == "−$6.50 off $65.00"
    tap(qtbot, dialog.apply)
    assert window.selling.approval_dialog is None
    assert "10% off (Industry)" in window.selling.table.item(0, 3).text()

    window.selling.table.selectRow(1)
    tap(qtbot, window.selling.discount_button)
    dialog = window.selling.line_dialog
    tap(qtbot, dialog.amount)
    qtbot.keyClicks(dialog.value, "30")
    tap(qtbot, dialog.apply)
    assert "reason" in dialog.messages.text("reason")  # a discount needs a reason
    dialog.reason.setCurrentText("Friends and family")
    tap(qtbot, dialog.apply)
    approval = window.selling.approval_dialog
    qtbot.waitUntil(approval.isVisible)
    approval.reject()  # the manager is busy: Cancel
    assert window.selling.cart.lines[1].discount is None  # cancelled: nothing changed

    window.selling.table.selectRow(1)
    tap(qtbot, window.selling.discount_button)
    dialog = window.selling.line_dialog
    tap(qtbot, dialog.amount)
    qtbot.keyClicks(dialog.value, "30")
    dialog.reason.setCurrentText("Friends and family")
    tap(qtbot, dialog.apply)
    approve_as(qtbot, window, "Sam Okafor", "3333")
    qtbot.waitUntil(lambda: window.selling.cart.lines[1].discount is not None)
    assert "$30.00 off (Friends and family)" in window.selling.table.item(1, 3).text()

    tap(qtbot, window.selling.order_discount_button)
    dialog = window.selling.line_dialog
    tap(qtbot, dialog.amount)
    qtbot.keyClicks(dialog.value, "5")
    dialog.reason.setCurrentText("Event")
    tap(qtbot, dialog.apply)
    assert window.selling.cart.order_discount is not None
    assert "(order: $5.00 off (Event))" in window.selling.totals.text()

    check_age(qtbot, window, 1970)
    pay = window.selling.payment_dialog
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible())
    tap(qtbot, pay.quick_row.itemAt(0).widget())
    tap(qtbot, pay.complete)
    assert pay.sale is not None  # the engine accepted the approved discount
    with window.register.db.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.at)))
    assert actions == ["discount_over_limit", "sale"]


def test_a_price_override_needs_a_manager_and_can_be_undone(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "PN22")
    window.selling.table.selectRow(0)
    tap(qtbot, window.selling.price_button)
    dialog = window.selling.line_dialog
    qtbot.keyClicks(dialog.value, "forty")
    tap(qtbot, dialog.apply)
    assert "not a price" in dialog.message.text()
    dialog.value.setText("40.00")
    tap(qtbot, dialog.apply)
    approve_as(qtbot, window, "Morgan Lee", "2222")
    qtbot.waitUntil(lambda: window.selling.cart.lines[0].override_cents == 4_000)
    assert window.selling.table.item(0, 4).text() == "$40.00"

    window.selling.table.selectRow(0)
    tap(qtbot, window.selling.price_button)
    dialog = window.selling.line_dialog
    back = next(b for b in dialog.findChildren(type(dialog.apply)) if "list price" in b.text())
    tap(qtbot, back)
    assert window.selling.cart.lines[0].override_cents is None
    assert window.selling.table.item(0, 4).text() == "$48.00"


def test_ship_to_a_members_address_charges_shipping_and_destination_tax(
    qtbot, signed_in: MainWindow
):
    window = signed_in
    db = window.register.db
    with db.read() as s:
        texan = s.scalar(select(Customer).where(Customer.state == "TX").limit(1))
    ring(qtbot, window, "PN22", "CS21")
    carry_out_tax = window.register.price(window.selling.cart).tax_cents
    window.register.attach_customer(window.selling.cart, texan.id)
    window.selling.refresh_cart()

    tap(qtbot, window.selling.ship_button)
    dialog = window.selling.line_dialog
    qtbot.waitUntil(dialog.isVisible)
    tap(qtbot, dialog.choices["new"])
    dialog.fields["address"].clear()
    tap(qtbot, dialog.ship)
    assert "street address" in dialog.message.text()  # refused with what is missing
    for name, value in (("address", "9 Main St"), ("city", "Bozeman"), ("state", "mt")):
        dialog.fields[name].setText(value)
    dialog.fields["zip"].setText("59715")
    tap(qtbot, dialog.ship)
    assert window.selling.cart.ship_to.state == "MT"
    shipping_word = window.selling.messages.labels["cart"]  # under the cart, by the Ship… button
    assert "No tax rate is set for orders shipped to MT" in shipping_word.text()

    tap(qtbot, window.selling.ship_button)
    dialog = window.selling.line_dialog
    qtbot.waitUntil(dialog.isVisible)
    tap(qtbot, dialog.choices["home"])
    dialog.shipping.setText("25.00")
    tap(qtbot, dialog.ship)
    assert window.selling.cart.ship_to is not None and window.selling.cart.ship_to.state == "TX"
    assert shipping_word.text() == "" and window.selling.notice.text() == ""  # the cause is gone
    assert "Ship to" in window.selling.customer_label.text()
    assert "Shipping $25.00" in window.selling.totals.text()
    priced = window.register.price(window.selling.cart)
    assert priced.shipping_cents == 2_500 and priced.tax_cents != carry_out_tax

    check_age(qtbot, window, 1970)
    pay = window.selling.payment_dialog
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible())
    tap(qtbot, pay.quick_row.itemAt(0).widget())
    tap(qtbot, pay.complete)
    with db.read() as s:
        order = s.get(Order, pay.sale.order_id)
    assert (order.fulfilment, order.ship_state, order.shipping_cents) == ("ship", "TX", 2_500)
    assert order.shipping_status == "Sent to Fulfillment"
