"""Large tiles to tap products into the cart: this store's favourites, then a tab per
category. Typing in the search box shows matching products instead (`MainWindow`).

A category can hold thousands of SKUs in a big catalog; the grid shows the first
`MAX_TILES` by name, single bottles before packs (packs are chosen on the cart line),
and says how many more there are, so search is the way to them.
"""

from __future__ import annotations

import textwrap

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from tastingroom.catalog.index import Item
from tastingroom.money import format_cents

FAVOURITES = "Favourites"
MAX_TILES = 60
TILE_COLUMNS = 3
TAB_COLUMNS = 6
TILE_HEIGHT = 96


class ProductGrid(QWidget):
    sig_chosen = Signal(object)
    """An `Item` whose tile was tapped."""
    sig_tab = Signal(str)
    """A tab was chosen: FAVOURITES or a category's name."""

    def __init__(self, price_level: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.price_level = price_level
        self.tabs = QGridLayout()
        self.tabs.setSpacing(6)
        self.tab_group = QButtonGroup(self)
        self.tab_buttons: dict[str, QPushButton] = {}
        self.tiles: list[QPushButton] = []
        self._shown: tuple[str, tuple[Item, ...], int | None] | None = None
        """What the tiles show now (tab, items, total), so that asking again changes nothing."""
        self.tile_layout = QGridLayout()
        self.tile_layout.setSpacing(8)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addLayout(self.tile_layout)
        holder_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(holder)
        self.more = QLabel("", objectName="hint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.tabs)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.more)

    def set_tabs(self, categories: list[str]) -> None:
        for button in self.tab_buttons.values():
            self.tab_group.removeButton(button)
            button.deleteLater()
        self.tab_buttons.clear()
        for index, name in enumerate([FAVOURITES, *categories]):
            button = QPushButton(mnemonic_safe(name), objectName="tabButton", checkable=True)
            button.setMinimumHeight(44)
            button.clicked.connect(lambda _=False, n=name: self.sig_tab.emit(n))
            self.tab_group.addButton(button)
            self.tabs.addWidget(button, index // TAB_COLUMNS, index % TAB_COLUMNS)
            self.tab_buttons[name] = button
        self.tab_buttons[FAVOURITES].setChecked(True)

    @property
    def current_tab(self) -> str:
        checked = self.tab_group.checkedButton()
        return next((n for n, b in self.tab_buttons.items() if b is checked), FAVOURITES)

    def show_items(self, tab: str, items: list[Item], total: int | None = None) -> None:
        """Tiles for `items`; `total` is how many the tab holds when that is more. The same
        tiles asked for again are left alone: a tile rebuilt under a finger is a mis-tap."""
        if tab in self.tab_buttons:
            self.tab_buttons[tab].setChecked(True)
        shown = (tab, tuple(items), total)
        if shown == self._shown:
            return
        self._shown = shown
        for tile in self.tiles:
            tile.deleteLater()
        self.tiles.clear()
        for index, item in enumerate(items):
            price = item.price_at(self.price_level)
            name = "\n".join(textwrap.wrap(item.name, 20, max_lines=2, placeholder="…"))
            price_text = format_cents(price) if price is not None else "no price"
            tile = QPushButton(f"{mnemonic_safe(name)}\n{price_text}", objectName="tile")
            tile.setFixedHeight(TILE_HEIGHT)
            tile.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            tile.setToolTip(f"{item.name} · {item.code}")
            tile.clicked.connect(lambda _=False, i=item: self.sig_chosen.emit(i))
            self.tile_layout.addWidget(tile, index // TILE_COLUMNS, index % TILE_COLUMNS)
            self.tiles.append(tile)
        if total is not None and total > len(items):
            self.more.setText(f"Showing {len(items)} of {total:,}. Search to find the rest.")
        elif not items:
            self.more.setText("Nothing here yet.")
        else:
            self.more.setText("")

    def tile_for(self, name: str) -> QPushButton:
        return next(t for t in self.tiles if t.toolTip().startswith(f"{name} · "))


def mnemonic_safe(text: str) -> str:
    """Button text as written: Qt reads "&" as a keyboard shortcut marker ("Tour & Tasting")."""
    return text.replace("&", "&&")
