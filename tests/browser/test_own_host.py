"""No page, public or admin, asks the browser for anything from another host — in Chromium.

Fonts, scripts, avatars (gravatar.com), video players, update checks: anything loaded from abroad is
blocked or slow in mainland China and tells a third party who reads what. The browser records the
host of every request and socket while it visits the main pages as a visitor, a learner, an
organiser and provider staff.
"""

import contextlib
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from courses import services
from courses.models import CourseCatalogPage
from tests.certificates.contest_data import published_round
from tests.conftest import PASSWORD, build_course

# What a page asks the browser for does not depend on the database: not repeated on PostgreSQL (conftest).
pytestmark = [pytest.mark.browser, pytest.mark.embedded]

LOCAL_SCHEMES = {"data", "blob", "about"}


@pytest.fixture
def world(provider_a, provider_b, staff_a, organiser, learner):
    course = build_course(provider_a, title="工业互联网平台应用", code="IIOT-101")
    lesson = course.lessons.order_by("sort_order").first()
    lesson.video_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"  # a platform abroad: a link, no player
    lesson.save()
    build_course(provider_b, title="数控车床编程", code="CNC-201")
    services.enrolment_create(learner=learner, course=course)
    rnd = published_round(organiser=organiser)
    return {"course": course, "lesson": lesson, "round": rnd}


@pytest.fixture
def hosts(page):
    """Every host the page asks for (requests and WebSockets), with one URL each to show."""
    seen: dict[str, str] = {}

    def record(url: str):
        parts = urlsplit(url)
        if parts.scheme not in LOCAL_SCHEMES:
            seen.setdefault(parts.netloc, url)

    page.on("request", lambda request: record(request.url))
    page.on("websocket", lambda socket: record(socket.url))
    return seen


def _visit(page, url: str):
    page.goto(url)
    # A page that polls (a scoreboard, an import job) is never idle; by then it has loaded.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_load_state("networkidle", timeout=5_000)


def _log_in(page, user, *, admin: bool):
    page.goto("/admin/login/" if admin else "/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form, form").filter(has=page.locator("#id_password")).get_by_role("button", name="登录").click()
    if admin:
        expect(page).to_have_url(re.compile(r"/admin/$"))
    else:
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def _own(hosts: dict, live_server) -> dict:
    own = urlsplit(live_server.url).netloc
    return {host: url for host, url in hosts.items() if host != own}


def _open_admin_menus(page):
    """The sidebar's submenus (课程管理 and, for organisers, 证书管理 and the reports)."""
    for name in ("课程管理", "证书管理", "报告"):
        button = page.get_by_role("button", name=name)
        if button.count():
            button.first.click()
            page.keyboard.press("Escape")


def test_public_pages_and_the_learners_pages_ask_only_our_host(page, hosts, live_server, world, learner):
    course, rnd = world["course"], world["round"]
    public = [
        "/",
        "/courses/",
        course.page.url,
        "/contests/",
        f"/contests/{rnd.track.contest.slug}/",
        f"/contests/rounds/{rnd.pk}/scoreboard/",
        f"/contests/rounds/{rnd.pk}/results/",
        "/verify/",
        "/accounts/login/",
        "/accounts/signup/",
    ]
    for url in public:
        _visit(page, url)
    _log_in(page, learner, admin=False)
    for url in [
        "/learn/",
        f"/learn/lessons/{world['lesson'].pk}/",
        course.page.url,
        "/certificates/",
        "/accounts/profile/",
    ]:
        _visit(page, url)
    expect(page.locator("body")).to_be_visible()
    assert len(hosts) >= 1
    assert _own(hosts, live_server) == {}


def _admin_pages(world, *, organiser: bool) -> list[str]:
    course = world["course"]
    catalogue = CourseCatalogPage.objects.get()
    pages = [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{catalogue.pk}/",
        f"/admin/pages/{course.page.pk}/",
        f"/admin/pages/{course.page.pk}/edit/",
        f"/admin/courses/courses/edit/{course.pk}/",
        "/admin/courses/courses/",
        "/admin/courses/chapters/",
        "/admin/courses/lessons/",
        "/admin/courses/quizzes/",
        "/admin/courses/questions/",
        "/admin/courses/stats/",
        "/admin/courses/import/",
        "/admin/courses/import/new/?kind=courses",
        "/admin/courses/export/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/reports/site-history/",
        "/admin/reports/aging-pages/",
        "/admin/pages/search/?q=工业",
        "/admin/account/",
    ]
    if organiser:
        pages += [
            "/admin/courses/categories/",
            "/admin/courses/providers/",
            "/admin/users/",
            "/admin/contests/contests/",
            "/certificates/manage/",
            "/certificates/manage/skill-level/",
            "/certificates/manage/templates/",
            "/certificates/manage/templates/skill_level/",  # its live preview, too
        ]
    else:
        pages = [p for p in pages if not p.startswith(f"/admin/pages/{catalogue.pk}/")]
    return pages


@pytest.mark.parametrize("who", ["organiser", "staff_a"])
def test_admin_pages_ask_only_our_host(page, hosts, live_server, world, who, request):
    _log_in(page, request.getfixturevalue(who), admin=True)
    _open_admin_menus(page)
    for url in _admin_pages(world, organiser=who == "organiser"):
        _visit(page, url)
        if url == "/certificates/manage/templates/skill_level/":
            expect(page.locator("#preview-status")).to_have_attribute("data-state", "done", timeout=60_000)
    assert _own(hosts, live_server) == {}
