"""Draw the site's icons: static/icons/favicon.svg and the PNG / ICO copies phones and old browsers ask for.

One drawing, a staircase of three steps (the skill levels, the top one gold) on the brand blue, written as SVG and painted with
Pillow at each size, so nothing is downloaded. Run it after changing the drawing, and commit the files:

    .venv/bin/python scripts/make-icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
BLUE, WHITE, GOLD = "#0b4f9c", "#ffffff", "#f5b800"
# On a 64-unit square: (x, top, colour) of each step; each is 12 wide, they touch (a staircase) and end at 50.
BARS = ((14, 37, WHITE), (26, 26, WHITE), (38, 15, GOLD))
BAR_WIDTH, BAR_BOTTOM, BAR_RADIUS, CORNER = 12, 50, 1, 14


def svg() -> str:
    bars = "".join(
        f'<rect x="{x}" y="{top}" width="{BAR_WIDTH}" height="{BAR_BOTTOM - top}" rx="{BAR_RADIUS}" fill="{colour}"/>'
        for x, top, colour in BARS
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" rx="{CORNER}" fill="{BLUE}"/>{bars}</svg>\n'
    )


def png(size: int, *, rounded: bool = True, inset: float = 0.0) -> Image.Image:
    """The drawing at `size` pixels; `inset` shrinks the bars towards the centre (maskable icons
    keep their content inside the middle 80 %), `rounded=False` fills the whole square."""
    scale = 8  # drawn large, then reduced: smooth edges without an SVG renderer
    big = size * scale
    unit = big / 64
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=CORNER * unit, fill=BLUE)
    else:
        draw.rectangle((0, 0, big - 1, big - 1), fill=BLUE)
    shrink = 1 - inset

    def at(value: float) -> float:
        return (32 + (value - 32) * shrink) * unit

    for x, top, colour in BARS:
        draw.rounded_rectangle(
            (at(x), at(top), at(x + BAR_WIDTH), at(BAR_BOTTOM)), radius=BAR_RADIUS * unit * shrink, fill=colour
        )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "favicon.svg").write_text(svg(), encoding="utf-8")
    png(32).save(OUT / "favicon-32.png", optimize=True)
    png(48).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    # iOS rounds the corners itself and shows transparency as black: a full square.
    png(180, rounded=False).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    png(192).save(OUT / "icon-192.png", optimize=True)
    png(512).save(OUT / "icon-512.png", optimize=True)
    png(512, rounded=False, inset=0.2).save(OUT / "icon-maskable-512.png", optimize=True)
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(OUT.parent.parent)}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
