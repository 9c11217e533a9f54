"""Certificate artwork: the QR code of the verification URL (its modules) and the red seal (印章) as SVG."""

import itertools
import math
import re
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from django.utils.html import escape

SEAL_RGB = (200, 16, 46)
SEAL_RED = "#c8102e"
SEAL_FONT = "NotoSansCJKSC-Cert, Noto Sans CJK SC"


_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = re.compile(r"(?=10111010000|00001011101)")


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of the QR code of `data` (error correction M, a quiet zone of two modules): exactly
    what qrcode's `make(fit=True)` gives, with its choice of mask made about five times faster.

    qrcode lays the data out nine times to choose a mask (once per mask, then the chosen one) and
    scores each with a pure-Python loop: ~3 ms a certificate. Here the data is laid out once with
    mask 0; the other masks follow by XOR with per-version blanks (no data, each mask), and the
    scores are counted with regular expressions and integer bit operations.
    """
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
    qr.add_data(data)
    qr.best_fit()
    qr.makeImpl(True, 0)  # test layout, as qrcode scores masks: format and version bits left light
    n = len(qr.modules)
    with_mask_0 = [int("".join("1" if m else "0" for m in row), 2) for row in qr.modules]
    blanks = _qr_blanks(qr.version)
    data_only = [a ^ b for a, b in zip(with_mask_0, blanks[0], strict=True)]
    scores = [_qr_penalty([a ^ b for a, b in zip(data_only, blank, strict=True)], n) for blank in blanks]
    qr.mask_pattern = scores.index(min(scores))  # the first of equal scores, as qrcode picks
    qr.make(fit=False)
    return qr.get_matrix()


@lru_cache(maxsize=8)
def _qr_blanks(version: int) -> tuple[tuple[int, ...], ...]:
    """Per mask, the test layout of a symbol of this version with all-zero data, rows as integers:
    function patterns plus the mask itself where the data goes."""
    blanks = []
    for mask in range(8):
        qr = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0)
        qr.data_cache = []
        qr.makeImpl(True, mask)
        blanks.append(tuple(int("".join("1" if m else "0" for m in row), 2) for row in qr.modules))
    return tuple(blanks)


def _qr_penalty(rows: list[int], n: int) -> int:
    """qrcode's util.lost_point (the ISO/IEC 18004 mask penalty as qrcode counts it) of a symbol
    given as n rows of n bits, the first column in the highest bit."""
    lines = [format(row, f"0{n}b") for row in rows]
    text = " ".join(lines + ["".join(column) for column in zip(*lines, strict=True)])  # rows, then columns
    points = sum(len(run) - 2 for run in _RUN.findall(text))  # runs of five or more of one colour
    points += 40 * len(_FINDER_LIKE.findall(text))  # 1:1:3:1:1 with four light modules on one side
    pairs = (1 << (n - 1)) - 1
    for a, b in itertools.pairwise(rows):  # 2×2 blocks of one colour
        dark = a & b & (a >> 1) & (b >> 1)
        light = ~(a | b | (a >> 1) | (b >> 1))
        points += 3 * ((dark | light) & pairs).bit_count()
    dark_modules = sum(row.bit_count() for row in rows)
    return points + int(abs(dark_modules / n**2 * 100 - 50) / 5) * 10


def qr_runs(matrix: list[list[bool]]) -> list[tuple[int, int, int]]:
    """Each horizontal run of dark modules as (x, y, length)."""
    runs = []
    for y, row in enumerate(matrix):
        x, n = 0, len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append((start, y, x - start))
            else:
                x += 1
    return runs


def _star(cx: float, cy: float, r: float) -> str:
    points = []
    for i in range(10):
        angle = -math.pi / 2 + i * math.pi / 5
        radius = r if i % 2 == 0 else r * 0.382
        points.append(f"{cx + radius * math.cos(angle):.2f},{cy + radius * math.sin(angle):.2f}")
    return " ".join(points)


# The issuer's name along the ring (viewBox units; the seal is 200 across, its inner ring at r = 86).
RING_INNER = 78.0  # the glyphs' outer edge: clear of the inner ring (r = 86) by a fifth of a glyph or more
RING_MAX_ARC = 250.0  # degrees: the bottom stays clear for the caption
RING_SHORT_ARC = 150.0  # degrees a short name spreads over, as a carved seal spaces it
RING_MAX_STEP = 36.0  # degrees between two characters, at most
GLYPH_PITCH = 1.25  # centre to centre, in em: a quarter of a glyph between two (CJK glyphs are 1 em wide)
FONT_MAX = 24.0


def ring_layout(count: int) -> tuple[float, float, float]:
    """(font size, radius of the glyphs' centres, degrees between two characters) for a name of
    `count` characters: as large as the arc allows, each glyph a quarter of its width from the next."""
    if count <= 1:
        return FONT_MAX, RING_INNER - FONT_MAX / 2, 0.0
    font = FONT_MAX
    for _ in range(3):  # the radius depends on the size and the size on the radius: settles in two rounds
        radius = RING_INNER - font / 2
        font = min(FONT_MAX, math.radians(RING_MAX_ARC) * radius / ((count - 1) * GLYPH_PITCH))
    radius = RING_INNER - font / 2
    step = math.degrees(font * GLYPH_PITCH / radius)
    step = max(step, min(RING_SHORT_ARC / (count - 1), RING_MAX_STEP))
    return font, radius, step


@lru_cache(maxsize=32)
def seal_svg(issuer: str, *, caption: str = "证书专用章", size_mm: float = 42) -> str:
    """A round red seal: double ring, the issuer's name along the upper arc, a star, a caption.

    Each character is placed on the arc by rotating it about the centre (WeasyPrint does not lay out
    SVG <textPath>), which is also how a carved seal spaces its characters evenly: `ring_layout` sizes
    them so that a long name fills the arc without the glyphs touching and a short one spreads out.
    """
    chars = list(issuer)[:24]
    n = len(chars)
    font_size, radius, step = ring_layout(n)
    # The baseline sits 0.38 em below the centre of a CJK glyph (ascent 0.88, descent 0.12).
    baseline = 100 - radius + 0.38 * font_size
    text = []
    for i, char in enumerate(chars):
        angle = (i - (n - 1) / 2) * step
        text.append(
            f'<text x="100" y="{baseline:.1f}" transform="rotate({angle:.2f} 100 100)" '
            f'text-anchor="middle">{escape(char)}</text>'
        )
    return (
        f'<svg class="seal" xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" '
        f'viewBox="0 0 200 200" opacity="0.88">'
        f'<circle cx="100" cy="100" r="94" fill="none" stroke="{SEAL_RED}" stroke-width="6"/>'
        f'<circle cx="100" cy="100" r="86" fill="none" stroke="{SEAL_RED}" stroke-width="1.5"/>'
        f'<g font-family="{SEAL_FONT}" font-weight="bold" fill="{SEAL_RED}">'
        f'<g font-size="{font_size:.1f}">{"".join(text)}</g>'
        f'<polygon points="{_star(100, 100, 30)}"/>'
        f'<text x="100" y="156" font-size="15" text-anchor="middle">{escape(caption)}</text></g></svg>'
    )
