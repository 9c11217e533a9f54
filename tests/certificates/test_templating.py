"""The certificate template sandbox: what an organiser's layout may not do, refused when it is saved."""

import pytest

from django.core.exceptions import ValidationError
from django.utils import timezone

from certificates import pdf, services, snapshots
from certificates.models import CertificateTemplate
from certificates.templating import (
    ALLOWED_FILTERS,
    ALLOWED_TAGS,
    LOOP_MAX,
    VALUE_MAX,
    WIDTH_MAX,
    Layout,
    LayoutError,
    body_render,
    layout_check,
    layout_default,
)
from tests.certificates.helpers import login, pdftotext
from tests.factories import UserFactory

CSS = layout_default("skill_level").css


def _context(name="张三"):
    person = UserFactory.build(real_name=name, id_number="")
    snapshot = snapshots.skill_level(person, level=2, occupation="焊工", issued_at=timezone.now())
    return snapshots.layout_context(
        snapshot, number="ZJ20262000001", code="A" * 20, verify_url="http://testserver/verify/x/"
    )


# ------------------------------------------------------------------ autoescaping stays on


@pytest.mark.parametrize(
    "html",
    [
        "<p>{% autoescape off %}{{ holder.name }}{% endautoescape %}</p>",
        "{% autoescape off %}{% endautoescape %}",
        "<p>{{ holder.name|safe }}</p>",
        "<p>{{ signatories|safeseq }}</p>",
    ],
)
def test_a_template_that_turns_escaping_off_is_refused_when_saved(html, organiser):
    with pytest.raises(ValidationError) as refused:
        services.certificate_template_save(kind="skill_level", html=html, css=CSS, by=organiser)
    assert "autoescape" in str(refused.value) or "safe" in str(refused.value)
    assert not CertificateTemplate.objects.exists()


def test_the_editor_says_why_autoescape_off_is_refused(client, organiser):
    html = "<p>{% autoescape off %}{{ holder.name }}{% endautoescape %}</p>"
    page = login(client, organiser).post("/certificates/manage/templates/skill_level/", {"html": html, "css": CSS})
    assert page.status_code == 200
    assert "证书模板不能关闭自动转义（autoescape）" in page.content.decode()
    assert not CertificateTemplate.objects.exists()


def test_a_learner_name_with_markup_renders_escaped_in_the_pdf():
    name = "<b>张三</b>"
    document = pdf.document_html(layout_default("skill_level"), _context(name=name))
    assert "&lt;b&gt;张三&lt;/b&gt;" in document.html and "<b>张三</b>" not in document.html
    text = pdftotext(pdf.render_one(layout_default("skill_level"), _context(name=name)))
    assert "<b>张三</b>" in text  # printed as the characters the learner typed, not as bold markup


# ------------------------------------------------------------------ nothing can make a render huge


@pytest.mark.parametrize(
    "html",
    [
        '{{ holder.name|ljust:"100000000" }}',
        '{{ holder.name|rjust:"100000000" }}',
        '{{ holder.name|center:"100000000" }}',
        '{{ holder.name|stringformat:"100000000s" }}',
        '{{ cert.number|floatformat:"100000" }}',
        '{% if holder.name|ljust:"100000000" %}x{% endif %}',
        '{% with wide=holder.name|center:"100000000" %}{{ wide }}{% endwith %}',
        '{% filter ljust:"100000000" %}{{ holder.name }}{% endfilter %}',
        '{% for c in holder.name|rjust:"100000000" %}{{ c }}{% endfor %}',
        "{{ holder.name|ljust:issuer }}",  # a width must be written as a number
    ],
)
def test_a_filter_with_a_huge_width_is_refused_when_saved(html, organiser):
    with pytest.raises(ValidationError, match="ljust|rjust|center|stringformat|floatformat"):
        services.certificate_template_save(kind="skill_level", html=html, css=CSS, by=organiser)
    assert not CertificateTemplate.objects.exists()


def test_the_editor_says_which_width_is_too_big(client, organiser):
    html = '<p>{{ holder.name|ljust:"100000000" }}</p>'
    page = login(client, organiser).post("/certificates/manage/templates/skill_level/", {"html": html, "css": CSS})
    assert f"过滤器“ljust”的宽度不能超过 {WIDTH_MAX}" in page.content.decode()


def test_widths_and_precisions_a_layout_needs_still_work():
    html = '[{{ holder.name|ljust:"4" }}][{{ cert.code|slice:":4"|center:"8" }}][{{ "3.14159"|floatformat:"2" }}]'
    html += '[{{ cert.number|length|stringformat:"03d" }}][{{ holder.name|truncatechars:"100000000" }}]'
    layout_check(html, CSS)
    assert body_render(Layout("skill_level", html, CSS), _context()) == "[张三  ][  AAAA  ][3.14][013][张三]"


@pytest.mark.parametrize(
    "html",
    ['{% include "base.html" %}', "{% load static %}", "{% debug %}", "{% lorem 100000 w %}", "{% url 'x' %}"],
)
def test_tags_outside_the_allow_list_are_refused(html):
    with pytest.raises(LayoutError, match="证书模板不能使用标签"):
        layout_check(html, CSS)


def test_filters_outside_the_allow_list_are_refused():
    for name in ("safe", "force_escape", "pprint", "urlize", "json_script", "join", "make_list", "random"):
        with pytest.raises(LayoutError, match=f"证书模板不能使用过滤器“{name}”"):
            layout_check(f"{{{{ holder.name|{name} }}}}", CSS)


def test_doubling_a_value_again_and_again_stops_at_the_value_cap():
    html = "{% with a=holder.name|add:holder.name %}" + "".join(
        f"{{% with {b}={a}|add:{a} %}}"
        for a, b in zip("abcdefghijklmnopqrstuvwxy", "bcdefghijklmnopqrstuvwxyz", strict=True)
    )
    html += "{{ z }}" + "{% endwith %}" * 26
    layout_check(html, CSS)  # nothing wrong to see before it runs …
    with pytest.raises(LayoutError, match=str(VALUE_MAX)):  # … and it stops long before 2^26 names
        body_render(Layout("skill_level", html, CSS), _context())


def test_nested_loops_stop_at_the_loop_budget():
    html = '{% with s="0123456789012345678901234567890123456789" %}'
    html += "{% for a in s %}{% for b in s %}{% for c in s %}x{% endfor %}{% endfor %}{% endfor %}{% endwith %}"
    with pytest.raises(LayoutError, match=str(LOOP_MAX)):
        body_render(Layout("skill_level", html, CSS), _context())


def test_the_built_in_layouts_keep_to_the_sandbox():
    for kind in ("completion", "skill_level", "award"):
        layout = layout_default(kind)
        layout_check(layout.html, layout.css)
    assert {"if", "for", "with"} <= set(ALLOWED_TAGS) and "autoescape" not in ALLOWED_TAGS
    assert {"default", "date", "truncatechars"} <= set(ALLOWED_FILTERS) and "safe" not in ALLOWED_FILTERS
