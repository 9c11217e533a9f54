"""精品课程: organisers select courses for a period; they lead the home page, carry a badge and filter the catalogue."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from courses.models import CoursePage, FeaturedCourse, featured_today
from tests.conftest import build_course
from tests.courses.views.helpers import admin_url
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
SELECTION = "2026年度精品课程"
BADGE = f"精品 · {SELECTION}"
CITATION = "课程体系完整，实训案例丰富"


def feature(course, *, starts_on=None, ends_on=None, title=SELECTION, citation=CITATION, position=0):
    today = featured_today()
    return FeaturedCourse.objects.create(
        course=course,
        title=title,
        citation=citation,
        starts_on=starts_on or today - dt.timedelta(days=1),
        ends_on=ends_on or today + dt.timedelta(days=30),
        position=position,
    )


def card(html: str, course) -> str:
    """The catalogue card of `course` in a page of cards."""
    start = html.index(f">{course.title}</a>")
    return html[html.rfind('<article class="course-card">', 0, start) : html.index("</article>", start)]


@pytest.fixture
def courses(provider_a):
    plain = build_course(provider_a, code="PLAIN-1", title="普通课程", with_quiz=False)
    chosen = build_course(provider_a, code="BEST-1", title="精品课程甲", with_quiz=False)
    return plain, chosen


# ------------------------------------------------------------------ home page


def test_featured_courses_lead_the_home_page_with_their_citation(client, courses):
    plain, chosen = courses
    feature(chosen)
    html = client.get("/").content.decode()
    assert html.index("精品课程</h2>") < html.index("最新课程</h2>")
    featured_part = html[html.index("精品课程</h2>") : html.index("最新课程</h2>")]
    assert f">{chosen.title}</a>" in featured_part and CITATION in featured_part and BADGE in featured_part
    assert f">{plain.title}</a>" not in featured_part
    newest_part = html[html.index("最新课程</h2>") :]
    assert f">{plain.title}</a>" in newest_part and f">{chosen.title}</a>" not in newest_part  # shown once
    assert "?featured=1" in featured_part


def test_home_page_follows_the_organisers_order_and_shows_a_course_once(client, provider_a, courses):
    _plain, chosen = courses
    second = build_course(provider_a, code="BEST-2", title="精品课程乙", with_quiz=False)
    feature(chosen, position=2)
    feature(second, position=1)
    feature(chosen, position=3, title="2026年度示范课程", citation="另一次评选")
    html = client.get("/").content.decode()
    assert html.index(f">{second.title}</a>") < html.index(f">{chosen.title}</a>")
    assert html.count(f">{chosen.title}</a>") == 1


def test_without_current_selections_the_home_page_has_no_featured_section(client, courses):
    _plain, chosen = courses
    feature(chosen, starts_on=featured_today() - dt.timedelta(days=60), ends_on=featured_today() - dt.timedelta(days=1))
    html = client.get("/").content.decode()
    assert "精品课程</h2>" not in html and BADGE not in html


def test_a_featured_course_whose_page_is_not_live_is_not_shown(client, courses):
    _plain, chosen = courses
    feature(chosen)
    CoursePage.objects.get(course=chosen).unpublish()
    html = client.get("/").content.decode()
    assert chosen.title not in html
    assert chosen.title not in client.get("/courses/", {"featured": "1"}).content.decode()


# ------------------------------------------------------------------ badge and filter


def test_catalogue_cards_and_course_page_carry_the_badge(client, courses):
    plain, chosen = courses
    feature(chosen)
    html = client.get("/courses/").content.decode()
    assert BADGE in card(html, chosen) and "精品 ·" not in card(html, plain)
    html = client.get("/courses/", {"q": "课程"}).content.decode()  # the search path loads rows apart
    assert BADGE in card(html, chosen) and "精品 ·" not in card(html, plain)
    page = client.get(chosen.page.url).content.decode()
    assert BADGE in page and CITATION in page
    assert "精品 ·" not in client.get(plain.page.url).content.decode()


def test_catalogue_filters_by_featured_courses(client, courses):
    plain, chosen = courses
    feature(chosen)
    html = client.get("/courses/", {"featured": "1"}).content.decode()
    assert f">{chosen.title}</a>" in html and f">{plain.title}</a>" not in html
    assert 'name="featured" value="1" checked' in html
    assert "共 1 门课程" in html
    html = client.get("/courses/", {"featured": "1", "q": "普通"}).content.decode()
    assert f">{plain.title}</a>" not in html
    # The search form keeps the filter; anything but "1" is no filter at all.
    assert '<input type="hidden" name="featured" value="1">' in client.get("/courses/?featured=1").content.decode()
    for junk in ("yes", "0", "1" * 5000, "<script>"):
        response = client.get("/courses/", {"featured": junk})
        assert response.status_code == 200 and f">{plain.title}</a>" in response.content.decode()
    provider_page = client.get(chosen.page.get_parent().url, {"featured": "1"}).content.decode()
    assert f">{chosen.title}</a>" in provider_page and f">{plain.title}</a>" not in provider_page


# ------------------------------------------------------------------ the period, in Asia/Shanghai


def _at(year, month, day, hour, minute):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "current"),
    [
        (_at(2025, 12, 31, 23, 59), False),  # 15:59 UTC on 31 December: not yet
        (_at(2026, 1, 1, 0, 1), True),  # still 31 December in UTC, already the first day in Beijing
        (_at(2026, 12, 31, 23, 59), True),  # the last day is included
        (_at(2027, 1, 1, 0, 1), False),  # still 31 December in UTC, but over in Beijing
    ],
)
def test_the_period_runs_by_beijing_dates(client, courses, moment, current):
    _plain, chosen = courses
    selection = feature(chosen, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    with time_machine.travel(moment, tick=False):
        assert selection.is_current is current
        assert FeaturedCourse.objects.current().exists() is current
        assert (BADGE in client.get("/").content.decode()) is current
        assert (f">{chosen.title}</a>" in client.get("/courses/", {"featured": "1"}).content.decode()) is current


# ------------------------------------------------------------------ management


def _form(course, **overrides):
    data = {
        "course": course.pk,
        "title": SELECTION,
        "citation": CITATION,
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "position": "0",
    }
    data.update(overrides)
    return data


def test_organiser_selects_a_featured_course_in_the_admin(client, organiser, courses):
    _plain, chosen = courses
    client.force_login(organiser)
    assert client.get(admin_url("courses_featured", "add")).status_code == 200
    response = client.post(admin_url("courses_featured", "add"), _form(chosen))
    assert response.status_code == 302
    selection = FeaturedCourse.objects.get()
    assert (selection.course, selection.selected_by, selection.title) == (chosen, organiser, SELECTION)
    listing = client.get(admin_url("courses_featured", "index")).content.decode()
    assert chosen.title in listing and SELECTION in listing
    found = client.get(admin_url("courses_featured", "index"), {"q": "精品课程甲"}).content.decode()
    assert SELECTION in found
    response = client.post(admin_url("courses_featured", "edit", selection), _form(chosen, position="5"))
    assert response.status_code == 302
    selection.refresh_from_db()
    assert (selection.position, selection.selected_by) == (5, organiser)


def test_featured_course_form_refuses_bad_input(client, organiser, provider_a, courses):
    _plain, chosen = courses
    hidden = build_course(provider_a, code="DRAFT-1", title="草稿课程", publish=False, with_quiz=False)
    client.force_login(organiser)
    url = admin_url("courses_featured", "add")
    bad = [
        _form(hidden),  # a course that is not live
        {**_form(chosen), "course": "999999"},
        _form(chosen, ends_on="2025-12-31"),  # ends before it starts
        _form(chosen, citation="好" * 501),
        _form(chosen, title="年" * 61),
        _form(chosen, starts_on="2026-02-30"),
    ]
    for data in bad:
        response = client.post(url, data)
        assert response.status_code == 200, data
    assert not FeaturedCourse.objects.exists()
    assert client.post(url, _form(chosen)).status_code == 302
    assert client.post(url, _form(chosen)).status_code == 200  # the same selection twice
    assert FeaturedCourse.objects.count() == 1


def test_only_organisers_manage_featured_courses(client, staff_a, learner, courses):
    _plain, chosen = courses
    selection = feature(chosen)
    for user in (staff_a, learner):
        client.force_login(user)
        for url in (admin_url("courses_featured", "index"), admin_url("courses_featured", "add")):
            assert client.get(url).status_code in (302, 403)
        client.post(admin_url("courses_featured", "add"), _form(chosen, title="自封精品"))
        client.post(admin_url("courses_featured", "edit", selection), _form(chosen, title="改名"))
        client.post(admin_url("courses_featured", "delete", selection))
    assert list(FeaturedCourse.objects.values_list("title", flat=True)) == [SELECTION]
    client.force_login(staff_a)
    assert admin_url("courses_featured", "index") not in client.get("/admin/").content.decode()


# ------------------------------------------------------------------ queries


def test_badges_cost_no_query_per_card(client, provider_a, django_assert_max_num_queries):
    category = CategoryFactory(slug="iiot", name="工业互联网")
    first = build_course(provider_a, code="Q-1", lessons=0, with_quiz=False)
    feature(first)
    for url in ("/", "/courses/", "/courses/?featured=1", "/courses/?q=课程"):
        client.get(url)  # warm per-process caches (site, settings)
    counts = {}
    for url in ("/", "/courses/", "/courses/?featured=1", "/courses/?q=课程"):
        with django_assert_max_num_queries(100) as one:
            client.get(url)
        counts[url] = len(one.captured_queries)
    for i in range(2, 8):
        course = build_course(provider_a, code=f"Q-{i}", lessons=0, with_quiz=False)
        course.category = category
        course.save()
        feature(course, position=i)
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            html = client.get(url).content.decode()
        assert html.count("精品 ·") >= 6, url
