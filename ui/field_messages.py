"""Where a screen shows what the engine refused: under the field it is about.

The engine's rules (`tastingroom.entry`) raise `EntryRefused` with the field it is
about; a screen puts each field in its form through `FieldMessages.under`, and shows a
refusal with `show`, so that the message appears beside what is to be corrected and
the dialog stays open. A refusal about no field in particular, or about one not on
screen, goes to the screen's own message label.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLayout, QVBoxLayout, QWidget

from tastingroom.entry import EntryRefused


class FieldMessages:
    def __init__(self, general: QLabel) -> None:
        self.general = general
        self.labels: dict[str, QLabel] = {}

    def under(self, fields: str | tuple[str, ...], content: QWidget | QLayout) -> QWidget:
        """`content` with a message label below it, for the form in its place; `fields`
        names what the label speaks for (a row of several fields may share one)."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if isinstance(content, QLayout):
            column.addLayout(content)
        else:
            column.addWidget(content)
        label = QLabel("", objectName="notice")
        label.setWordWrap(True)
        label.setVisible(False)
        column.addWidget(label)
        for field in (fields,) if isinstance(fields, str) else fields:
            self.labels[field] = label
        return box

    def show(self, refusal: EntryRefused, field: str | None = None) -> None:
        """The refusal's message under its field (or `field`, where the screen knows
        better which row it came from), every other message cleared. A field that is
        not on screen (a form hidden for another choice) leaves it to the general label."""
        self.clear()
        label = self.labels.get(field or refusal.field or "")
        if label is None or not label.parentWidget().isVisibleTo(label.window()):
            label = self.general
        label.setText(str(refusal))
        label.setVisible(True)

    def say(self, text: str, field: str | None = None) -> None:
        """A screen's own word (not the engine's refusal) under `field`, or in the general
        label, placed and cleared exactly as a refusal would be."""
        self.show(EntryRefused(text, field))

    def clear(self) -> None:
        for label in self.labels.values():
            label.clear()
            label.setVisible(False)
        self.general.clear()

    def text(self, field: str) -> str:
        """What the label under `field` says now ("" when nothing was refused there)."""
        return self.labels[field].text()
