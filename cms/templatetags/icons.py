"""`{% icon "lock" %}`: the site's icons as inline SVG.

Never emoji for meaning: phones and servers without an emoji font draw an empty box (tests/cms/
test_icons.py keeps emoji out of templates and static files). The drawings are simple 24×24 strokes
in the current text colour, so an icon follows the text it stands beside. With `label`, screen
readers hear the label; without, the icon is decoration and hidden from them.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# name → (inner SVG, filled): filled shapes take the text colour as fill, the rest as stroke.
ICONS: dict[str, tuple[str, bool]] = {
    "lock": ('<rect x="4.5" y="10.5" width="15" height="10" rx="2"/><path d="M8 10.5V7a4 4 0 0 1 8 0v3.5"/>', False),
    "check": ('<path d="M20 6 9 17l-5-5"/>', False),
    "cross": ('<path d="M18 6 6 18M6 6l12 12"/>', False),
    "star": (
        '<path d="M12 2.8l2.8 5.8 6.4.9-4.6 4.5 1.1 6.3L12 17.3l-5.7 3 1.1-6.3-4.6-4.5 6.4-.9z"/>',
        True,
    ),
    "play": ('<path d="M7 4.5v15l12.5-7.5z"/>', True),
    "menu": ('<path d="M4 6h16M4 12h16M4 18h16"/>', False),
    "close": ('<path d="M18 6 6 18M6 6l12 12"/>', False),
    "filter": ('<path d="M4 6h16M7 12h10M10 18h4"/>', False),
    "bell": ('<path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9"/><path d="M10.3 21a1.94 1.94 0 0 0 3.4 0"/>', False),
    "chevron-down": ('<path d="m6 9 6 6 6-6"/>', False),
}


def icon_svg(name: str, *, label: str = "", size: int | str = "1.1em", css_class: str = "") -> str:
    """The SVG of a named icon; a label becomes visually hidden text beside it."""
    body, filled = ICONS[name]
    paint = (
        'fill="currentColor" stroke="none"'
        if filled
        else ('fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"')
    )
    svg = format_html(
        '<svg class="icon icon-{name}{extra}" aria-hidden="true" focusable="false" width="{size}" height="{size}" '
        'viewBox="0 0 24 24" {paint}>{body}</svg>',
        name=name,
        extra=f" {css_class}" if css_class else "",
        size=size,
        paint=mark_safe(paint),  # noqa: S308 - our own constant
        body=mark_safe(body),  # noqa: S308 - our own constant
    )
    if label:
        return format_html('{}<span class="visually-hidden">{}</span>', svg, label)
    return svg


@register.simple_tag
def icon(name: str, label: str = "", size: int | str = "1.1em", css_class: str = "") -> str:
    return icon_svg(name, label=label, size=size, css_class=css_class)
