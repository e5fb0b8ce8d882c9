"""Draws the program's icon once: packaging/tastingroom.svg and packaging/tastingroom.png.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icon.py

A wine glass on a burgundy tile. Both files come from the same few shapes, so they
agree; the PNG (256 px) is what the desktop entry, the Windows installer and the macOS
app use (PyInstaller turns it into .ico/.icns), the SVG is for desktops that scale.
The outputs are committed; run this again only to change the drawing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen

HERE = Path(__file__).resolve().parent
SIZE = 256
TILE = "#7b1e3a"  # burgundy
GLASS = "#fbf7f2"
WINE = "#b3264f"

# In a 256 x 256 box. The bowl: a half-ellipse under a straight rim, filled to a line.
RIM_Y, BOWL_BOTTOM = 52.0, 150.0
BOWL_LEFT, BOWL_RIGHT = 78.0, 178.0
WINE_Y = 100.0
STEM = (124.0, 148.0, 8.0, 54.0)  # x, y, width, height
FOOT = (88.0, 196.0, 80.0, 14.0)  # x, y, width, height of its ellipse


def bowl_path(top: float) -> QPainterPath:
    """The bowl's outline from the height `top` down (the rim, or the wine's surface)."""
    cx, rx, ry = (BOWL_LEFT + BOWL_RIGHT) / 2, (BOWL_RIGHT - BOWL_LEFT) / 2, BOWL_BOTTOM - RIM_Y
    ellipse = QPainterPath()
    ellipse.addEllipse(QPointF(cx, RIM_Y), rx, ry)
    clip = QPainterPath()
    clip.addRect(QRectF(0, top, SIZE, BOWL_BOTTOM - top + 1))
    return ellipse.intersected(clip)


def svg() -> str:
    rx, ry = (BOWL_RIGHT - BOWL_LEFT) / 2, BOWL_BOTTOM - RIM_Y
    wine_half = rx * (1 - ((WINE_Y - RIM_Y) / ry) ** 2) ** 0.5
    cx = (BOWL_LEFT + BOWL_RIGHT) / 2
    sx, sy, sw, sh = STEM
    fx, fy, fw, fh = FOOT
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" \
viewBox="0 0 {SIZE} {SIZE}">
  <title>Tastingroom</title>
  <rect x="8" y="8" width="240" height="240" rx="44" fill="{TILE}"/>
  <path d="M {BOWL_LEFT} {RIM_Y} A {rx} {ry} 0 0 0 {BOWL_RIGHT} {RIM_Y} Z" fill="{GLASS}"/>
  <path d="M {cx - wine_half:.2f} {WINE_Y} A {rx} {ry} 0 0 0 {cx + wine_half:.2f} {WINE_Y} Z" \
fill="{WINE}"/>
  <rect x="{sx}" y="{sy}" width="{sw}" height="{sh}" fill="{GLASS}"/>
  <ellipse cx="{fx + fw / 2}" cy="{fy + fh / 2}" rx="{fw / 2}" ry="{fh / 2}" fill="{GLASS}"/>
</svg>
"""


def png() -> QImage:
    image = QImage(SIZE, SIZE, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(Qt.PenStyle.NoPen))
    painter.setBrush(QBrush(QColor(TILE)))
    painter.drawRoundedRect(QRectF(8, 8, 240, 240), 44, 44)
    painter.setBrush(QBrush(QColor(GLASS)))
    painter.drawPath(bowl_path(RIM_Y))
    painter.drawRect(QRectF(*STEM))
    painter.drawEllipse(QRectF(*FOOT))
    painter.setBrush(QBrush(QColor(WINE)))
    painter.drawPath(bowl_path(WINE_Y))
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    (HERE / "tastingroom.svg").write_text(svg(), encoding="utf-8")
    if not png().save(str(HERE / "tastingroom.png")):
        raise SystemExit("could not write tastingroom.png")
    print(HERE / "tastingroom.png", HERE / "tastingroom.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
