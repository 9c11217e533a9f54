"""Certificate layouts: one organiser-edited HTML body (a Django template) and CSS per kind.

The template sees plain data only (strings, numbers, lists, dicts) through an engine without
`load`, `include`, `extends`, `debug` or the `safe` filter, and with autoescape on, so every value
is escaped; only the QR code and the seal, which we generate, are inserted as markup.
"""

from dataclasses import dataclass
from pathlib import Path

from django.template import Context, Engine, Library, defaultfilters, defaulttags

from .models import CertificateTemplate

LAYOUTS_DIR = Path(__file__).resolve().parent / "layouts"
BLOCKED_TAGS = {"debug", "load", "url", "csrf_token", "include", "extends", "block", "ssi", "lorem", "templatetag"}
BLOCKED_FILTERS = {"safe", "safeseq", "pprint", "force_escape", "unordered_list"}


class LayoutError(Exception):
    """The organiser's template does not compile or render."""


def _sandbox_engine() -> Engine:
    engine = Engine(autoescape=True, debug=False, libraries={}, string_if_invalid="")
    tags = Library()
    tags.tags = {k: v for k, v in defaulttags.register.tags.items() if k not in BLOCKED_TAGS}
    filters = Library()
    filters.filters = {k: v for k, v in defaultfilters.register.filters.items() if k not in BLOCKED_FILTERS}
    engine.template_builtins = [tags, filters]
    return engine


SANDBOX = _sandbox_engine()


@dataclass(frozen=True)
class Layout:
    kind: str
    html: str
    css: str
    version: int = 0


def layout_default(kind: str) -> Layout:
    return Layout(
        kind=kind,
        html=(LAYOUTS_DIR / f"{kind}.html").read_text(encoding="utf-8"),
        css=(LAYOUTS_DIR / "default.css").read_text(encoding="utf-8"),
    )


def layout_for(kind: str) -> Layout:
    """The organiser's saved layout for a kind, or the built-in one (version 0)."""
    saved = CertificateTemplate.objects.filter(kind=kind).first()
    if saved is None:
        return layout_default(kind)
    return Layout(kind=kind, html=saved.html, css=saved.css, version=saved.version)


def layout_check(html: str, css: str) -> None:
    """Raise LayoutError when the template does not compile or the CSS could break out of <style>."""
    if "<" in css:
        raise LayoutError("CSS 中不能包含 “<” 字符")
    try:
        SANDBOX.from_string(html)
    except Exception as exc:  # TemplateSyntaxError and friends: tell the organiser what is wrong
        raise LayoutError(f"模板有错误：{exc}") from exc


def body_render(layout: Layout, data: dict) -> str:
    try:
        return SANDBOX.from_string(layout.html).render(Context(data, autoescape=True))
    except Exception as exc:
        raise LayoutError(f"模板渲染失败：{exc}") from exc
