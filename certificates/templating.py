"""Certificate layouts: one organiser-edited HTML body (a Django template) and CSS per kind.

The template is a sandbox. It sees plain data only (strings, numbers, lists, dicts) through an
engine that knows an allow-list of tags and filters and nothing else: no `load`, `include`,
`extends` or `debug`, no `safe`, and no `autoescape` tag, so autoescaping stays on and every value
(a learner's real name above all) is escaped; only the QR code and the seal, which we generate, are
inserted as markup. Nothing in it can make a render expensive: widths and precisions are capped
(`ljust:"100000000"` is refused when the template is saved), every filter's result, the loops of a
render and the rendered body have an upper size, and the preview, which renders templates nobody
has saved, runs in the task worker under a time limit (certificates/previews.py).
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from django.template import Context, Engine, Library, Node, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import FilterExpression
from django.template.defaulttags import ForNode
from django.template.smartif import TokenBase
from django.utils.translation import gettext as _

from .models import CertificateTemplate

LAYOUTS_DIR = Path(__file__).resolve().parent / "layouts"

# What a layout may use. Everything else is unknown to the engine, so it does not compile.
ALLOWED_TAGS = (
    "if",
    "for",
    "with",
    "firstof",
    "cycle",
    "resetcycle",
    "ifchanged",
    "spaceless",
    "filter",
    "comment",
    "verbatim",
    "now",
    "regroup",
)
ALLOWED_FILTERS = (
    "add",
    "capfirst",
    "center",
    "cut",
    "date",
    "default",
    "default_if_none",
    "dictsort",
    "dictsortreversed",
    "divisibleby",
    "escape",
    "first",
    "floatformat",
    "get_digit",
    "last",
    "length",
    "linebreaks",
    "linebreaksbr",
    "ljust",
    "lower",
    "pluralize",
    "rjust",
    "slice",
    "stringformat",
    "time",
    "title",
    "truncatechars",
    "truncatewords",
    "upper",
    "wordcount",
    "yesno",
)
WIDTH_FILTERS = ("center", "ljust", "rjust", "stringformat")  # their argument pads the value out
NUMERIC_FILTERS = (*WIDTH_FILTERS, "floatformat")  # their argument is written as a number
WIDTH_MAX = 200
PRECISION_MAX = 10
TEMPLATE_MAX = 20_000  # characters of HTML, and of CSS
VALUE_MAX = 10_000  # characters (or items) a filter may return
LOOP_MAX = 1_000  # iterations of all the loops of one render together
BODY_MAX = 200_000  # characters of one rendered certificate body

_INVALID_TAG = re.compile(r"Invalid block tag on line \d+: '([^']*)'")
_INVALID_FILTER = re.compile(r"Invalid filter: '([^']*)'")
_LOOPS = "certificates.loops"


class LayoutError(Exception):
    """The organiser's template is refused, or does not compile or render."""


# ------------------------------------------------------------------ limits


def _argument_error(name: str, arg) -> str | None:
    """Why a filter's argument is refused, or None."""
    if name in WIDTH_FILTERS:
        if name == "stringformat":
            numbers = re.findall(r"\d+", str(arg))
        else:
            numbers = [str(arg).strip().lstrip("+-")]
            if not numbers[0].isdigit():
                return _("过滤器“%(name)s”的参数必须是数字") % {"name": name}
        if any(len(number) > 4 or int(number) > WIDTH_MAX for number in numbers):
            return _("过滤器“%(name)s”的宽度不能超过 %(max)s") % {"name": name, "max": WIDTH_MAX}
    elif name == "floatformat":
        digits = str(arg).strip().rstrip("gu").lstrip("+-")
        if digits.isdigit() and (len(digits) > 4 or int(digits) > PRECISION_MAX):
            return _("过滤器“floatformat”的小数位数不能超过 %(max)s") % {"max": PRECISION_MAX}
    return None


def _bounded(name: str, func):
    """A filter whose argument and result stay within the sandbox's limits when it runs."""

    @functools.wraps(func)  # keeps is_safe, needs_autoescape …, and the signature Django checks
    def bounded(value, *args, **kwargs):
        if args and (error := _argument_error(name, args[0])):
            raise LayoutError(error)
        result = func(value, *args, **kwargs)
        if isinstance(result, (str, list, tuple)) and len(result) > VALUE_MAX:
            raise LayoutError(_("模板中的值过长：最多 %(max)s 个字符") % {"max": VALUE_MAX})
        return result

    bounded.sandbox_name = name
    return bounded


class _BoundedForNode(ForNode):
    """{% for %} that counts its iterations against the render's loop budget."""

    def render(self, context):
        values = self.sequence.resolve(context, ignore_failures=True)
        count = len(values) if hasattr(values, "__len__") else 0
        spent = context.render_context.get(_LOOPS, 0) + count
        if spent > LOOP_MAX:
            raise LayoutError(_("模板中的循环次数过多：最多 %(max)s 次") % {"max": LOOP_MAX})
        context.render_context[_LOOPS] = spent
        return super().render(context)


def _bounded_for(parser, token):
    node = defaulttags.do_for(parser, token)
    node.__class__ = _BoundedForNode
    return node


def _sandbox_engine() -> Engine:
    engine = Engine(autoescape=True, debug=False, libraries={}, string_if_invalid="")
    tags = Library()
    tags.tags = {name: defaulttags.register.tags[name] for name in ALLOWED_TAGS} | {"for": _bounded_for}
    filters = Library()
    filters.filters = {name: _bounded(name, defaultfilters.register.filters[name]) for name in ALLOWED_FILTERS}
    engine.template_builtins = [tags, filters]
    return engine


SANDBOX = _sandbox_engine()


# ------------------------------------------------------------------ layouts


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


def _syntax_message(exc: TemplateSyntaxError) -> str:
    """What is wrong, in words an organiser reads: the tags and filters a layout may use."""
    text = str(exc)
    if tag := _INVALID_TAG.search(text):
        name = tag.group(1)
        if name in ("autoescape", "endautoescape"):
            return _("证书模板不能关闭自动转义（autoescape）：学员的姓名等数据必须转义后显示")
        return _("证书模板不能使用标签“%(name)s”；可用的标签：%(allowed)s") % {
            "name": name,
            "allowed": "、".join(ALLOWED_TAGS),
        }
    if found := _INVALID_FILTER.search(text):
        return _("证书模板不能使用过滤器“%(name)s”；可用的过滤器：%(allowed)s") % {
            "name": found.group(1),
            "allowed": "、".join(ALLOWED_FILTERS),
        }
    return _("模板有错误：%(error)s") % {"error": text}


def _filter_expressions(obj, seen: set):
    """Every FilterExpression of a compiled template: in variables, tag arguments and conditions."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, FilterExpression):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _filter_expressions(item, seen)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _filter_expressions(item, seen)
    elif isinstance(obj, (Node, TokenBase)):
        for name, value in vars(obj).items():
            if name not in ("token", "origin"):
                yield from _filter_expressions(value, seen)


def _arguments_check(template) -> None:
    """Numeric arguments are written as numbers, within their caps, so the check holds at save time."""
    for expression in _filter_expressions(template.nodelist, set()):
        for func, args in expression.filters:
            name = getattr(func, "sandbox_name", "")
            if name not in NUMERIC_FILTERS or not args:
                continue
            lookup, value = args[0]
            if lookup:
                raise LayoutError(_("过滤器“%(name)s”的参数必须直接写成数字") % {"name": name})
            if error := _argument_error(name, value):
                raise LayoutError(error)


def layout_compile(html: str):
    """The compiled template, or LayoutError saying what the organiser must change."""
    return _compiled(html)


@functools.lru_cache(maxsize=16)  # a bulk job renders one layout a thousand times; refusals are not cached
def _compiled(html: str):
    if len(html) > TEMPLATE_MAX:
        raise LayoutError(_("模板过长：最多 %(max)s 个字符") % {"max": TEMPLATE_MAX})
    try:
        template = SANDBOX.from_string(html)
    except TemplateSyntaxError as exc:
        raise LayoutError(_syntax_message(exc)) from exc
    except Exception as exc:  # the parser's other complaints: tell the organiser what is wrong
        raise LayoutError(_("模板有错误：%(error)s") % {"error": exc}) from exc
    _arguments_check(template)
    return template


def layout_check(html: str, css: str) -> None:
    """Raise LayoutError when the template is refused or the CSS could break out of <style>."""
    if len(css) > TEMPLATE_MAX:
        raise LayoutError(_("CSS 过长：最多 %(max)s 个字符") % {"max": TEMPLATE_MAX})
    if "<" in css:
        raise LayoutError(_("CSS 中不能包含“<”字符"))
    layout_compile(html)


def body_render(layout: Layout, data: dict) -> str:
    template = layout_compile(layout.html)
    try:
        body = template.render(Context(data, autoescape=True))
    except LayoutError:
        raise
    except Exception as exc:
        raise LayoutError(_("模板渲染失败：%(error)s") % {"error": exc}) from exc
    if len(body) > BODY_MAX:
        raise LayoutError(_("证书内容过长：最多 %(max)s 个字符，请精简模板") % {"max": BODY_MAX})
    return body
