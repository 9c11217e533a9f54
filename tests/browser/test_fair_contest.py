"""A fair contest from end to end in Chromium (issue 13): a contestant answers while the public board
shows no theory score, a judge scores seat numbers only, the organiser publishes provisional results,
the contestant files a review, the chief judge answers it, and the results become final.

Answers go over the contestant socket, so every page is served by Daphne in a subprocess (pytest-django's
live server speaks no WebSocket). On SQLite the server works on a copy of the test database: the one
change the test makes while it runs (the 公示 window moved into the past) is written to that copy, and
the copy is read back into the test database before the final checks.
"""

import datetime as dt
import re
import sqlite3
from contextlib import closing

import pytest
from playwright.sync_api import expect

from django.conf import settings
from django.db import connection
from django.utils import timezone

from contests import services
from contests.models import AuditLog, ReviewRequest, ReviewStatus, Round, RoundStatus, TrackJudge
from courses.models import QuestionKind
from tests.browser.conftest import TIMEOUT_MS
from tests.contests.factories import (
    ApprovedRegistrationFactory,
    CriterionFactory,
    RoundFactory,
    RoundQuestionFactory,
    TaskFactory,
)
from tests.contests.live import session_cookie
from tests.contests.servers import Daphne, database_for_servers, uses_postgres
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.browser

NAMES = ("张三", "李四")
ORGANISATIONS = ("甲公司", "乙公司")
TASK = "工业控制系统安全加固"
CRITERION = "防火墙策略配置"


@pytest.fixture
def fair_round(organiser, provider_a, learner, other_learner):
    """A running round, theory hidden until its end (the default), one practical task; both
    contestants checked in and seated by lot; a judge and the track's chief judge (裁判长)."""
    now = timezone.now()
    rnd = RoundFactory(
        track__contest__organiser=organiser,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=1),
        theory_live=False,
        review_window_hours=48,
    )
    single = QuestionFactory(provider=provider_a, kind=QuestionKind.SINGLE)
    true_false = QuestionFactory(provider=provider_a, kind=QuestionKind.TRUE_FALSE, options=[], answer=True)
    for i, question in enumerate((single, true_false)):
        RoundQuestionFactory(round=rnd, question=question, order=i, score=10)
    task = TaskFactory(round=rnd, title=TASK, max_score=50)
    criterion = CriterionFactory(task=task, title=CRITERION, kind="judgement", max_score=50)
    for user, organisation in zip((learner, other_learner), ORGANISATIONS, strict=True):
        ApprovedRegistrationFactory(track=rnd.track, user=user, organisation=organisation, province="32")
    judge = UserFactory(username="judge1", real_name="评委甲")
    chief = UserFactory(username="chief1", real_name="裁判长乙")
    for user in (judge, chief):
        services.judge_assign(track=rnd.track, judge=user, by=organiser)
    TrackJudge.objects.filter(track=rnd.track, judge=chief).update(is_chief=True)
    services.round_open_lobby(round=rnd, by=organiser)
    services.entries_check_in(round=rnd, entry_ids=rnd.entries.values_list("pk", flat=True), by=organiser)
    services.seat_draw_commit(round=rnd, by=organiser)
    services.seat_draw_run(round=rnd, by=organiser)
    rnd = services.round_start(round=rnd, by=organiser)
    return {"round": rnd, "single": single, "task": task, "criterion": criterion, "judge": judge, "chief": chief}


@pytest.fixture
def server(fair_round, organiser, learner, tmp_path):
    # Sessions first: they are written to the database before the server gets its copy.
    cookies = {
        "contestant": session_cookie(learner),
        "judge": session_cookie(fair_round["judge"]),
        "chief": session_cookie(fair_round["chief"]),
        "organiser": session_cookie(organiser),
    }
    env = database_for_servers(tmp_path)
    daphne = Daphne(env, tmp_path / "daphne.log")
    yield daphne, env, cookies
    daphne.stop()


def _number(value: int) -> re.Pattern:
    """A score as a page shows it: 40, 40.0 or 40.00."""
    return re.compile(rf"^\s*{value}(\.0+)?\s*$")


def _window_closed(env: dict, round_id: int) -> None:
    """Move the publication 49 hours back, as if the 48-hour 公示 window had passed."""
    published = timezone.now() - dt.timedelta(hours=49)
    if "SQLITE_PATH" not in env:  # PostgreSQL: the server reads the test's own database
        Round.objects.filter(pk=round_id).update(published_at=published)
        return
    value = published.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    with closing(sqlite3.connect(env["SQLITE_PATH"], timeout=10)) as db, db:
        db.execute("UPDATE contests_round SET published_at = ? WHERE id = ?", (value, round_id))


def _read_back(daphne: Daphne, env: dict) -> None:
    """Stop the server and, on SQLite, copy its database over the test's."""
    daphne.stop()
    if not uses_postgres():
        connection.ensure_connection()
        with closing(sqlite3.connect(env["SQLITE_PATH"])) as source:
            source.backup(connection.connection)


def test_a_fair_contest_from_answer_to_final_results(
    browser, server, fair_round, organiser, learner, other_learner, results_dir, request
):
    daphne, env, cookies = server
    rnd, single, task, criterion = (fair_round[k] for k in ("round", "single", "task", "criterion"))
    mine = rnd.entries.get(registration__user=learner)
    other = rnd.entries.get(registration__user=other_learner)
    contexts, pages, errors = {}, {}, []
    try:
        for name in ("public", *cookies):
            context = browser.new_context(base_url=daphne.http, viewport={"width": 1280, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
            if name in cookies:
                context.add_cookies(
                    [{"name": settings.SESSION_COOKIE_NAME, "value": cookies[name], "url": daphne.http}]
                )
            contexts[name] = context
            page = pages[name] = context.new_page()
            page.on("pageerror", lambda error, name=name: errors.append(f"{name}: {error} {error.stack}"))
            page.on("dialog", lambda dialog: dialog.accept())  # the confirm() of 结束比赛, 公布成绩, 确认最终成绩
        public, contestant, judge, chief, org = (pages[k] for k in ("public", *cookies))

        # -- 1. The public board during the round: theory "—", no rank, no total.
        public.goto(f"/contests/rounds/{rnd.pk}/scoreboard/")
        expect(public.locator("[data-conn]")).to_have_attribute("data-state", "open")
        expect(public.locator("[data-hidden-note]")).to_have_text("理论成绩在比赛结束后公布，此前不显示总分和名次")
        row = public.locator(f'tr[data-entry="{mine.pk}"]')
        theory_cell = row.locator("td").nth(4)
        expect(theory_cell).to_have_text("—")
        expect(row.locator("td.rank")).to_have_text("—")

        # -- 2. The contestant answers right and learns nothing but that the answer is saved.
        contestant.goto(f"/contests/rounds/{rnd.pk}/contestant/")
        expect(contestant.locator("[data-conn]")).to_have_attribute("data-state", "open")
        contestant.locator(f'input[name="q-{single.pk}"][value="{single.answer[0]}"]').check()
        expect(contestant.locator(f"#q-{single.pk} .qstate")).to_have_attribute("data-state", "saved")
        expect(contestant.locator("[data-answered]")).to_have_text("已作答 1 / 2 题")
        expect(contestant.locator("[data-mine-rank]")).to_have_text("—")
        expect(contestant.locator("[data-mine] dd").first).to_have_text("—")  # 理论
        public.wait_for_timeout(1500)  # time for any board frame the answer caused
        expect(theory_cell).to_have_text("—")
        expect(row.locator("td.rank")).to_have_text("—")
        expect(row.locator("td").last).to_have_text("—")

        # -- 3. The judge scores by seat number; no name or organisation on the page.
        judge.goto(f"/contests/rounds/{rnd.pk}/judge/")
        expect(judge.locator(".entry-list li")).to_have_count(2)
        expect(judge.get_by_text("盲评：选手以抽签座位号显示，成绩公布后才显示姓名。")).to_be_visible()
        for seat, value in ((mine.seat_number, "40"), (other.seat_number, "30")):
            judge.get_by_role("link", name=re.compile(rf"^{seat} 号座位")).click()
            expect(judge.locator("h2", has_text=f"{seat} 号座位")).to_be_visible()
            item = judge.locator(f'li[data-criterion="{criterion.pk}"]')
            item.locator("input[type=number]").fill(value)
            item.get_by_role("button", name="保存并确认").click()
            expect(item.locator(".badge-ok")).to_have_text(f"已确认 {value}")
            expect(judge.locator(f'[data-progress="{seat}"]')).to_have_text("已确认 1/1")
        html = judge.content()
        for word in (*NAMES, *ORGANISATIONS):
            assert word not in html, word
        expect(theory_cell).to_have_text("—")  # practical may show on the board; theory still not

        # -- 4. The organiser ends the round, confirms the award preview and publishes.
        org.goto(f"/contests/rounds/{rnd.pk}/console/")
        progress = org.locator(f'[data-entries] tr[data-entry="{mine.pk}"]')
        expect(progress.locator("[data-answered]")).to_have_text("1 / 2")  # organisers see progress live
        org.get_by_role("button", name="结束比赛").click()
        expect(org.get_by_text("比赛已结束").first).to_be_visible()
        org.goto(f"/contests/rounds/{rnd.pk}/awards/")
        preview = org.locator("table.board tbody")
        expect(preview.locator(f'tr[data-entry="{mine.pk}"] td').nth(1)).to_have_text("张三")
        org.get_by_role("button", name="确认以上奖项").click()
        expect(org.get_by_text("已确认奖项预览")).to_be_visible()
        org.get_by_role("button", name="公布成绩").click()
        expect(org.get_by_text("成绩已公布，公示期开始")).to_be_visible()
        expect(org).to_have_url(re.compile(rf"/contests/rounds/{rnd.pk}/results/$"))
        public.reload()  # the public board now shows theory too
        expect(theory_cell).to_have_text(_number(10))
        expect(row.locator("td.rank")).to_have_text("1")  # 71.00 against 42.00

        # -- 5. The contestant sees provisional results and asks for the practical task to be reviewed.
        contestant.goto(f"/contests/rounds/{rnd.pk}/results/")
        expect(contestant.get_by_text(re.compile(r"^成绩公示中（"))).to_be_visible()
        own = contestant.locator(f'tr[data-entry="{mine.pk}"] td')
        expect(own.nth(3)).to_have_text(_number(10))  # theory, now published
        expect(own.nth(4)).to_have_text(_number(40))
        expect(own.nth(5)).to_have_text("71.00")  # weighted 30/70: 10/20 × 30 + 40/50 × 70
        contestant.locator('select[name="subject"]').select_option(label=TASK)
        contestant.locator("#id_reason").fill("防火墙策略已按要求配置，请核对评分。")
        contestant.get_by_role("button", name="提交复核申请").click()
        expect(contestant.get_by_text("复核申请已提交，裁判长答复后会通知您")).to_be_visible()
        filed = contestant.locator("[data-review]")
        expect(filed).to_have_count(1)
        expect(filed).to_contain_text(TASK)
        expect(filed.locator(".badge")).to_have_text("待答复")

        # -- 6. The chief judge re-marks with a written answer; the contestant reads it.
        chief.goto(f"/contests/rounds/{rnd.pk}/reviews/")
        card = chief.locator("section[id^=review-]")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("防火墙策略已按要求配置，请核对评分。")
        expect(chief.get_by_text("还有 1 项复核申请未答复。")).to_be_visible()
        card.locator(f'input[name="value-{criterion.pk}"]').fill("45")
        card.locator("textarea[name=answer]").fill("经复核，防火墙策略配置得分更正为45分。")
        card.get_by_role("button", name="按填写的分数更正").click()
        expect(chief.get_by_text("已答复：成绩已更正")).to_be_visible()
        expect(card).to_contain_text("本项得分 40.00 → 45")

        contestant.reload()
        expect(filed.locator(".badge")).to_have_text("已更正成绩")
        expect(filed).to_contain_text("裁判长答复：经复核，防火墙策略配置得分更正为45分。")
        expect(own.nth(5)).to_have_text("78.00")  # 10/20 × 30 + 45/50 × 70
        expect(contestant.locator('select[name="subject"] option')).to_have_text(["理论考试"])

        # -- 7. The window has passed: the chief judge confirms, and the results are final.
        _window_closed(env, rnd.pk)
        chief.reload()
        chief.get_by_role("button", name="确认最终成绩").click()
        expect(chief.get_by_text("最终成绩已确认，成绩已生效")).to_be_visible()
        expect(chief.locator(".badge-ok", has_text="成绩已确认")).to_be_visible()
        contestant.reload()
        expect(contestant.locator(".badge", has_text="成绩已确认")).to_be_visible()
        expect(contestant.get_by_role("button", name="提交复核申请")).to_have_count(0)
        expect(filed).to_contain_text("裁判长答复：经复核")
        org.goto(f"/contests/rounds/{rnd.pk}/console/")  # the log in words, no raw codes or object ids
        log = org.locator("section", has=org.get_by_role("heading", name="操作日志"))
        expect(log).to_contain_text(f"张三 提交了成绩复核申请 张三·{TASK}")
        expect(log).to_contain_text(f"裁判长乙 根据复核申请 张三·{TASK} 更正了成绩")
        expect(log).to_contain_text(f"组委会 为 {rnd} 抽签确定了座位号")
        assert "#" not in log.inner_text()
        assert errors == []
    except Exception:
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for key, page in pages.items():
            page.screenshot(path=results_dir / f"{name}-{key}.png", full_page=True)
        print(daphne.log.read_text()[-3000:])
        raise
    finally:
        for context in contexts.values():
            context.close()

    _read_back(daphne, env)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.FINAL
    review = ReviewRequest.objects.get(entry=mine)
    assert review.task_id == task.pk and review.status == ReviewStatus.CHANGED
    assert review.answer == "经复核，防火墙策略配置得分更正为45分。"
    assert review.answered_by == fair_round["chief"]
    actions = set(AuditLog.objects.filter(round=rnd).values_list("action", flat=True))
    assert {"review.file", "review.changed", "round.confirm_final", "round.final", "round.publish"} <= actions
    assert AuditLog.objects.get(action="review.file").actor == learner
