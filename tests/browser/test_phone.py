"""The main pages on a phone (390×844) in Chromium: nothing scrolls sideways, every link and button can
be reached without scrolling sideways (a table that scrolls inside the page hid the judge's 评分 link),
the header is one row with a 菜单 button, and the catalogue's first course starts on the first screen
(search first, the filters folded behind 筛选)."""

import pytest
from playwright.sync_api import expect

from django.utils import timezone

from contests import services as contest_services
from courses import services as course_services
from courses.models import Enrolment
from tests.browser.conftest import _reports
from tests.conftest import PASSWORD, build_course
from tests.contests.factories import (
    ApprovedRegistrationFactory,
    ContestFactory,
    CriterionFactory,
    RoundFactory,
    TaskFactory,
    TrackFactory,
)
from tests.factories import UserFactory
from tests.training.conftest import entry as roster_entry
from tests.training.conftest import id_number

# A page's layout does not depend on the database: not repeated on PostgreSQL (conftest).
pytestmark = [pytest.mark.browser, pytest.mark.embedded]

PHONE = {"width": 390, "height": 844}

# Links, buttons and fields that start or end outside the screen (the skip link hides there on purpose).
OFF_SCREEN = """() => {
  const width = window.innerWidth;
  return [...document.querySelectorAll("a[href], button, input, select, textarea")].filter(e => {
    if (e.closest(".skip-link")) return false;
    const box = e.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) return false;
    return box.right > width + 1 || box.left < -1;
  }).map(e => e.outerHTML.slice(0, 120));
}"""


@pytest.fixture
def phone(browser, live_server, results_dir, request):
    """A fresh phone-sized context per person; a screenshot of each page it checked when the test fails."""
    contexts = []

    def open_as(user=None):
        context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        if user is not None:
            page.goto("/accounts/login/")
            page.locator("#id_username").fill(user.username)
            page.locator("#id_password").fill(PASSWORD)
            page.locator("main form").get_by_role("button", name="登录").click()
            page.wait_for_load_state()
        return page

    yield open_as
    if any(report.failed for report in request.node.stash.get(_reports, {}).values()):
        for number, context in enumerate(contexts):
            for page in context.pages:
                page.screenshot(path=results_dir / f"phone-failed-{number}.png", full_page=True)
    for context in contexts:
        context.close()


def _check(page, path, problems, results_dir):
    """Open `path` and note what a phone user would trip over."""
    page.goto(path)
    page.wait_for_load_state()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{path}: the page scrolls sideways by {overflow}px")
    off_screen = page.evaluate(OFF_SCREEN)
    if off_screen:
        problems.append(f"{path}: off the screen: {off_screen[:3]}")
    if page.errors:
        problems.append(f"{path}: script errors {page.errors}")
    if overflow > 0 or off_screen:
        name = path.strip("/").replace("/", "_") or "home"
        page.screenshot(path=results_dir / f"phone-{name}.png", full_page=True)


def test_the_main_pages_fit_a_phone(phone, live_server, provider_a, organiser, learner, manager_a, results_dir):
    course = build_course(provider_a, title="工业互联网平台应用", code="IIOT-101", lessons=2)
    build_course(provider_a, title="数控车床编程与操作", code="CNC-201", lessons=1, with_quiz=False)
    course_services.enrolment_create(learner=learner, course=course)
    lesson = course.lessons.order_by("sort_order").first()
    judge = UserFactory(username="judge_phone", real_name="评委甲")
    track = TrackFactory(contest=ContestFactory(slug="national-2026", organiser=organiser), name="工业互联网安全")
    rnd = RoundFactory(track=track, title="工业互联网安全 预赛")
    contest_services.judge_assign(track=track, judge=judge, by=organiser)
    holder = UserFactory(username="holder", real_name="王芳", id_number="11010519491231002X")
    from certificates.services import certificate_issue_completion

    certificate = certificate_issue_completion(
        enrolment=Enrolment.objects.create(learner=holder, course=course, completed_at=timezone.now())
    )
    problems: list[str] = []

    # A visitor: the header is one row with a 菜单 button that opens the menu.
    page = phone()
    page.goto("/")
    header = page.locator(".site-header")
    assert header.bounding_box()["height"] <= 72
    menu = page.get_by_role("button", name="菜单")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#site-nav")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#site-nav").get_by_role("link", name="课程目录")).to_be_visible()
    page.keyboard.press("Escape")  # the focus is on the button, not in the menu: it stays open
    page.locator("#site-nav").get_by_role("link", name="课程目录").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#site-nav")).to_be_hidden()
    expect(menu).to_be_focused()

    # The catalogue: search first, the filters folded, the first course on the first screen.
    page.goto("/courses/")
    search = page.get_by_role("searchbox")
    filters = page.get_by_role("button", name="筛选", exact=True)
    assert search.bounding_box()["y"] < filters.bounding_box()["y"]
    expect(page.locator("#filter-form")).to_be_hidden()
    first_card = page.locator(".course-card").first.bounding_box()
    assert first_card["y"] < PHONE["height"], f"the first course starts at y={first_card['y']}"
    filters.click()
    expect(filters).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("行业分类")).to_be_visible()

    for path in (
        "/",
        "/courses/",
        course.page.url,
        "/contests/",
        f"/contests/{track.contest.slug}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/verify/",
        f"/verify/{certificate.code}/",
    ):
        _check(page, path, problems, results_dir)

    page = phone(learner)
    for path in ("/learn/", f"/learn/lessons/{lesson.pk}/", course.page.url, "/certificates/"):
        _check(page, path, problems, results_dir)

    # The judge: the 评分 link of the round is on the screen, not in a table that scrolls sideways.
    page = phone(judge)
    assert page.url.endswith("/contests/")  # judges land at the contests, their rounds listed first
    expect(page.locator("#next-actions")).to_contain_text(str(rnd))
    _check(page, f"/contests/{track.contest.slug}/", problems, results_dir)
    score = page.locator(f'a[href="/contests/rounds/{rnd.pk}/judge/"]')
    expect(score).to_be_visible()
    assert score.bounding_box()["x"] + score.bounding_box()["width"] <= PHONE["width"]

    page = phone(manager_a)
    assert page.url.endswith("/training/")
    _check(page, "/training/", problems, results_dir)

    # On a desk, a menu too long for one row (an organiser's links, in English) folds behind 菜单 too.
    page = phone(organiser)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url + "/"}])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/courses/")
    expect(page.get_by_role("button", name="Menu")).to_be_visible()
    assert page.locator(".site-header").bounding_box()["height"] <= 72

    assert problems == []


def test_the_organiser_console_the_check_in_and_the_roster_fit_a_phone(
    phone, organiser, manager_a, employer_a, results_dir
):
    """The wide pages of the back office: the round console (live board, 参赛选手 with a 延时 form per
    row, 评分进度), the check-in page once the seats are drawn (64-character commitment and seed, the
    复核命令) and the 职工名册 with its 标记离开 buttons and invitation links: the page never scrolls
    sideways and every control is on the screen (a table whose rows become cards on a phone)."""
    track = TrackFactory(contest=ContestFactory(slug="phone-console", organiser=organiser), name="工业互联网安全")
    rnd = RoundFactory(track=track, title="工业互联网安全 决赛", has_theory=False)
    for title in ("工业控制系统安全加固与应急响应", "工业互联网平台数据采集与边缘计算", "网络攻防渗透测试"):
        CriterionFactory(task=TaskFactory(round=rnd, title=title), title="完成度", max_score=100)
    for n, name in enumerate(("宋佳", "欧阳明远", "张三丰")):
        ApprovedRegistrationFactory(
            track=track,
            user=UserFactory(username=f"contestant{n}", real_name=name),
            organisation="江苏省苏州市工业园区精密机械制造股份有限公司",
        )
    contest_services.round_open_lobby(round=rnd, by=organiser)
    entries = list(rnd.entries.order_by("pk").values_list("pk", flat=True))
    contest_services.entries_check_in(round=rnd, entry_ids=entries[:2], by=organiser)
    contest_services.seat_draw_commit(round=rnd, by=organiser)
    contest_services.seat_draw_run(round=rnd, by=organiser)
    contest_services.seat_draw_commit(round=rnd, by=organiser)  # the next draw, committed and waiting

    problems: list[str] = []
    page = phone(organiser)
    for path in (f"/contests/rounds/{rnd.pk}/console/", f"/contests/rounds/{rnd.pk}/check-in/"):
        _check(page, path, problems, results_dir)
    codes = page.locator(".seat-draws code")  # two commitments, the seed, the 复核命令: wrapped, not cut
    expect(codes).to_have_count(4)
    for code in codes.all():
        box = code.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{code.inner_text()}: {box}"

    for n, (name, department) in enumerate(
        (("宋佳", "设备动力部"), ("欧阳明远", "质量管理与检验检测中心"), ("李四", "生产一部"))
    ):
        roster_entry(
            employer_a,
            name,
            phone=f"1717142676{n}",
            number=id_number(n + 1),
            department=department,
            job="数控车床操作工（高级）",
        )
    page = phone(manager_a)
    path = f"/training/o/{employer_a.pk}/roster/"
    _check(page, path, problems, results_dir)
    rows = page.locator("#roster-table tbody tr")
    expect(rows).to_have_count(3)
    for row in rows.all():
        name = row.locator("th, td").first
        # a name is read on one line, not one character under the other
        assert name.bounding_box()["height"] < 40, f"{name.inner_text()} is {name.bounding_box()['height']}px tall"
        for control in (row.get_by_role("button", name="标记离开"), row.get_by_role("textbox", name="邀请链接")):
            expect(control).to_be_visible()
            box = control.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{path}: {box} off the screen"
    assert "1717142676" not in page.locator("main").inner_text()  # the phones are masked (171****6760)

    assert problems == []
