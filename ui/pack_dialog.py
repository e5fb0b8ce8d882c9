"""Choose how a wine on a cart line is sold: bottle, 3-pack, 6-pack, case.

One large button per pack with its price, for touch. Fewer bottles than the line has
now is a partial void, and the main window asks a manager for it (as the engine's
`Cart.set_pack` requires)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from tastingroom.catalog.index import Item
from tastingroom.money import format_cents
from ui.product_grid import mnemonic_safe


class PackDialog(QDialog):
    def __init__(
        self, current: Item, packs: list[Item], price_level: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Bottle or pack")
        self.chosen: Item | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Sell {current.name} as:"))
        self.buttons: dict[str, QPushButton] = {}
        for pack in packs:
            price = pack.price_at(price_level)
            label = "Bottle" if pack.units == 1 else pack.name.rpartition("(")[2].rstrip(")")
            text = f"{label}  ·  {pack.units} bottle{'s' if pack.units > 1 else ''}"
            text += f"  ·  {format_cents(price) if price is not None else 'no price'}"
            button = QPushButton(mnemonic_safe(text), checkable=True)
            button.setChecked(pack.sku_id == current.sku_id)
            button.setMinimumHeight(56)
            button.clicked.connect(lambda _=False, p=pack: self.choose(p))
            layout.addWidget(button)
            self.buttons[pack.sku_id] = button
        cancel = QPushButton("Cancel")
        cancel.setMinimumHeight(44)
        cancel.clicked.connect(self.reject)
        layout.addWidget(cancel)

    def choose(self, pack: Item) -> None:
        self.chosen = pack
        self.accept()
