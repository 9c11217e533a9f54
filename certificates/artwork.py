"""Inline SVG for certificates: the QR code of the verification URL and the red seal (印章)."""

import math
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from django.utils.html import escape

SEAL_RGB = (200, 16, 46)
SEAL_RED = "#c8102e"
SEAL_FONT = "NotoSansCJKSC-Cert, Noto Sans CJK SC"


def qr_svg(data: str, *, size_mm: float = 30) -> str:
    """The QR code as one SVG path: each run of dark modules in a row is one rectangle."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start} {y}.5h{x - start}")
            else:
                x += 1
    n = len(matrix)
    # One stroked horizontal line per run of dark modules: half the path commands of filled
    # rectangles, and WeasyPrint's SVG path parser is the cost here.
    return (
        f'<svg class="qr" xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" '
        f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path stroke="#000" stroke-width="1" d="{"".join(runs)}"/></svg>'
    )


def _star(cx: float, cy: float, r: float) -> str:
    points = []
    for i in range(10):
        angle = -math.pi / 2 + i * math.pi / 5
        radius = r if i % 2 == 0 else r * 0.382
        points.append(f"{cx + radius * math.cos(angle):.2f},{cy + radius * math.sin(angle):.2f}")
    return " ".join(points)


@lru_cache(maxsize=32)
def seal_svg(issuer: str, *, caption: str = "证书专用章", size_mm: float = 42) -> str:
    """A round red seal: double ring, the issuer's name along the upper arc, a star, a caption.

    Each character is placed on the arc by rotating it about the centre (WeasyPrint does not lay out
    SVG <textPath>), which is also how a carved seal spaces its characters evenly.
    """
    chars = list(issuer)[:24]
    n = len(chars)
    arc = min(250.0, 24.0 * max(n - 1, 1))
    font_size = 17 if n <= 14 else 15
    radius = 72
    text = []
    for i, char in enumerate(chars):
        angle = -arc / 2 + (i * arc / (n - 1) if n > 1 else arc / 2)
        text.append(
            f'<text x="100" y="{100 - radius + font_size / 2:.1f}" transform="rotate({angle:.2f} 100 100)" '
            f'text-anchor="middle">{escape(char)}</text>'
        )
    return (
        f'<svg class="seal" xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" '
        f'viewBox="0 0 200 200" opacity="0.88">'
        f'<circle cx="100" cy="100" r="94" fill="none" stroke="{SEAL_RED}" stroke-width="6"/>'
        f'<circle cx="100" cy="100" r="86" fill="none" stroke="{SEAL_RED}" stroke-width="1.5"/>'
        f'<g font-family="{SEAL_FONT}" font-size="{font_size}" font-weight="bold" fill="{SEAL_RED}">{"".join(text)}'
        f'<polygon points="{_star(100, 100, 30)}"/>'
        f'<text x="100" y="156" font-size="15" text-anchor="middle">{escape(caption)}</text></g></svg>'
    )
