"""The site header (brand, menu, navigation, language form), rendered once per kind of viewer and kept
in the process.

What the header shows follows from the language, the section of the site the page is in, whether
someone is signed in and which role links they get; everything else in it is per request (the CSRF
token, the person's name, the unread count, the page's own address) and is put back into the kept
HTML by one substitution pass. Every page of the site renders the header, and rendering it from the
template (a dozen `{% url %}` and twenty translated strings) cost about as much as the rest of a
cached page.

Domain apps add the links only some people get (企业培训, 统计分析) with `header_link_register`
from their AppConfig.ready, so this module imports none of them.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.core.signals import setting_changed
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.roles import uses_admin

TEMPLATE = "includes/site_header.html"
KEPT_MAX = 256  # header variants kept per process (languages × sections × role sets)


@dataclass(frozen=True)
class HeaderLink:
    key: str
    url_name: str
    label: str | Promise
    prefix: str  # the link is the current page's for addresses under it
    visible: Callable  # (user) → bool, asked only for signed-in users
    order: int


_links: list[HeaderLink] = []


def header_link_register(
    key: str, url_name: str, label: str | Promise, *, prefix: str, visible: Callable, order: int = 50
) -> None:
    """A header link shown to the signed-in users `visible(user)` is true for (idempotent per key)."""
    _links[:] = sorted(
        [*(link for link in _links if link.key != key), HeaderLink(key, url_name, label, prefix, visible, order)],
        key=lambda link: link.order,
    )
    _kept.clear()


# The site's own sections: (name, address, whether addresses under it count too).
SECTIONS = (
    ("courses", "/courses/", True),
    ("paths", "/paths/", True),
    ("learn", "/learn/", False),
    ("contests", "/contests/", True),
    ("certificates", "/certificates/", False),
    ("verify", "/verify/", True),
    ("notifications", "/notifications/", True),
)


def section_of(path: str) -> str:
    for name, address, below in SECTIONS:
        if path == address or (below and path.startswith(address)):
            return name
    for link in _links:
        if path.startswith(link.prefix):
            return link.key
    return ""


# Per-request values stand in the kept HTML as \x1fname\x1f: a control character no template text,
# translation or URL contains, and one pass puts them back (a value is never scanned again).
SLOT = re.compile("\x1f([a-z_]+)\x1f")
SLOTS = {name: mark_safe(f"\x1f{name}\x1f") for name in ("csrf", "bell", "name", "here", "login_next")}  # noqa: S308

_kept: dict[tuple, str] = {}


def _forget(**kwargs) -> None:
    _kept.clear()


setting_changed.connect(_forget, dispatch_uid="cms.frame.forget")


def _viewer(user) -> tuple[bool, tuple[str, ...], bool]:
    if not (user and user.is_authenticated):
        return False, (), False
    links = tuple(link.key for link in _links if link.visible(user))
    return True, links, uses_admin(user)


def _kept_header(language: str, section: str, signed_in: bool, links: tuple[str, ...], admin: bool) -> str:
    key = (language, section, signed_in, links, admin)
    html = _kept.get(key)
    if html is None:
        context = {
            "section": section,
            "signed_in": signed_in,
            "links": [link for link in _links if link.key in links],
            "admin": admin,
            "slots": SLOTS,
        }
        html = get_template(TEMPLATE).render(context)
        if len(_kept) >= KEPT_MAX:
            _kept.clear()
        _kept[key] = html
    return html


def _bell(bell) -> str:
    """The unread count's badge; `bell` is the page's `notification_bell` (unread, label), if any."""
    if bell is None or not bell.unread:
        return ""
    return format_html(
        '<span class="bell-count">{}<span class="visually-hidden">{}</span></span>', bell.label, _("条未读")
    )


def site_header(request, bell=None) -> SafeString:
    """The header's HTML for this request; `bell` as for `_bell`."""
    user = getattr(request, "user", None)
    signed_in, links, admin = _viewer(user)
    path = request.path
    html = _kept_header(get_language(), section_of(path), signed_in, links, admin)
    values = {
        "csrf": escape(get_token(request)),
        "here": escape(request.get_full_path()),
        "login_next": "" if path == "/" or path.startswith("/accounts/") else "?next=" + escape(quote(path, safe="/")),
        "name": escape(user.display_name) if signed_in else "",
        "bell": _bell(bell) if signed_in else "",
    }
    return mark_safe(SLOT.sub(lambda m: values[m[1]], html))  # noqa: S308 - our template and escaped values
