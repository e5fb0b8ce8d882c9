"""The row of buttons under the register's small dialogs: an optional way out on the
left (remove, back to list price, carry out instead), then Cancel and the action.
Large enough to tap; Enter presses the action."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton

TOUCH_HEIGHT = 44


def dialog_footer(
    dialog: QDialog,
    action: str,
    on_action: Callable[[], None],
    other: tuple[str, Callable[[], None], bool] | None = None,
) -> tuple[QHBoxLayout, QPushButton]:
    """The row, and its action button. `other` is (label, handler, shown)."""
    row = QHBoxLayout()
    buttons = []
    if other is not None:
        label, handler, shown = other
        extra = QPushButton(label)
        extra.clicked.connect(handler)
        extra.setVisible(shown)
        row.addWidget(extra)
        buttons.append(extra)
    row.addStretch(1)
    cancel = QPushButton("Cancel")
    cancel.clicked.connect(dialog.reject)
    main = QPushButton(action, objectName="payButton")
    main.setDefault(True)
    main.clicked.connect(on_action)
    for button in (*buttons, cancel, main):
        button.setMinimumHeight(TOUCH_HEIGHT)
    row.addWidget(cancel)
    row.addWidget(main)
    return row, main
