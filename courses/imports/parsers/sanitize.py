"""HTML that comes in with imported text, made safe with nh3 (Rust ammonia).

- ``plain_text``: fields shown as text (题干, 选项, 解析, course titles…). Markup is removed with
  its tags (and the content of script/style); entities are decoded only when markup was removed,
  so "电压 < 36V" and "A&B" stay as written. The result is always escaped again when displayed.
- ``rich_text``: lesson bodies (Wagtail rich text). Only the elements Wagtail's editor produces are
  kept, links only with http(s)/mailto; plain text without markup becomes paragraphs.

Both are idempotent: cleaning a cleaned value returns it unchanged, so re-importing an export
changes nothing.
"""

import html
import re

import nh3

__all__ = ["plain_text", "rich_text", "same_rich_text"]

_MARKUP = re.compile(r"<[a-zA-Z!/?]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

RICH_TAGS = {
    "p", "br", "b", "i", "strong", "em", "u", "s", "sub", "sup", "code", "blockquote", "hr",
    "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "embed",
}  # fmt: skip
RICH_ATTRIBUTES = {
    "a": {"href", "linktype", "id"},
    "embed": {"embedtype", "id", "format", "alt", "url"},
    "*": {"data-block-key"},
}


_SUSPECT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|<[a-zA-Z!/?]")


def plain_text(value: str) -> str:
    if not value or not _SUSPECT.search(value):  # the common case: one scan, nothing to clean
        return (value or "").strip()
    value = _CONTROL.sub("", value)
    for _round in range(3):
        if not _MARKUP.search(value):
            break
        value = html.unescape(nh3.clean(value, tags=set(), attributes={}, strip_comments=True))
    return value.strip()


def rich_text(value: str) -> str:
    value = _CONTROL.sub("", value or "").strip()
    if not value:
        return ""
    if not _MARKUP.search(value):
        return _paragraphs(value)
    cleaned = nh3.clean(
        value,
        tags=RICH_TAGS,
        attributes=RICH_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    ).strip()
    return cleaned if _MARKUP.search(cleaned) else _paragraphs(html.unescape(cleaned))


def _paragraphs(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\r?\n\s*\r?\n", text) if p.strip()]
    return "".join(f"<p>{html.escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def same_rich_text(stored: str, incoming_clean: str) -> bool:
    """Compare after cleaning both sides, so "<br/>" stored by the editor equals "<br>" from a file."""
    return stored == incoming_clean or rich_text(stored) == incoming_clean
