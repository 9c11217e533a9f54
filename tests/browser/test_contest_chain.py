"""From an enterprise 技术比武 to an industry contest's round, in Chromium (issue 14): the host's
training manager declares their track a qualifier and nominates its winners from the final results;
a nominee opens the notification and registers with the pre-filled form; the industry organiser
approves the nominated registrations in bulk with a reason the nominee reads; the nominee passes the
device check, which the organiser sees; the organiser opens the lobby and starts the round, and the
nominee answers a question on the console.

The 技术比武's round is made final through the factories (tests/contests/finals.py); every step after
that is a click in the browser by the person who does it. Pages are served by Daphne in a subprocess
(the console and the device check need WebSockets); on SQLite it works on a copy of the test database,
read back before the final checks (as in test_fair_contest.py).
"""

import datetime as dt
import re
import sqlite3
from contextlib import closing
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from django.conf import settings
from django.db import connection
from django.utils import timezone

from contests import services
from contests.models import (
    Contest,
    ContestLevel,
    DeviceCheck,
    Nomination,
    NominationStatus,
    Qualifier,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    RoundStatus,
    TheoryAnswer,
    Track,
)
from courses.models import QuestionKind
from tests.browser.conftest import TIMEOUT_MS
from tests.contests.enterprise_world import worker_of
from tests.contests.factories import RoundFactory, RoundQuestionFactory
from tests.contests.finals import final_round
from tests.contests.live import session_cookie
from tests.contests.servers import Daphne, database_for_servers, uses_postgres
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.browser

REASON = "推荐名额内，资格审核通过"


@pytest.fixture
def chain(employer_a, manager_a, organiser, provider_a):
    """employer A's 技术比武 (run by manager_a) with a final round of three workers; an industry contest
    (run by `organiser`) with a draft round and a theory paper, and one self-registered applicant."""
    biwu = Contest.objects.create(
        name=f"{employer_a.name}技术比武",
        slug="bw-chain",
        level=ContestLevel.ENTERPRISE,
        host_organisation=employer_a,
        year=2026,
        organiser=manager_a,
    )
    biwu_track = Track.objects.create(contest=biwu, name="电工", slug="electrician")
    workers = [worker_of(employer_a, f"jg0{n}") for n in (1, 2, 3)]
    biwu_round, _regs = final_round(
        organiser=manager_a,
        track=biwu_track,
        rows=[
            {"user": workers[0], "total": 92, "org": employer_a.name},
            {"user": workers[1], "total": 88, "org": employer_a.name, "at": 30},
            {"user": workers[2], "total": 60, "org": employer_a.name},
        ],
    )
    industry = Contest.objects.create(
        name="2026年全国机械行业职业技能竞赛",
        slug="industry-chain",
        level=ContestLevel.INDUSTRY,
        year=2026,
        organiser=organiser,
    )
    industry_track = Track.objects.create(
        contest=industry, name="维修电工", slug="maintenance", theory_weight=Decimal(100), practical_weight=Decimal(0)
    )
    now = timezone.now()
    industry_round = RoundFactory(track=industry_track, starts_at=now, ends_at=now + dt.timedelta(hours=1))
    questions = [
        QuestionFactory(provider=provider_a, kind=QuestionKind.SINGLE),
        QuestionFactory(provider=provider_a, kind=QuestionKind.TRUE_FALSE, options=[], answer=True),
    ]
    for i, question in enumerate(questions):
        RoundQuestionFactory(round=industry_round, question=question, order=i, score=10)
    applicant = UserFactory(username="self-applicant", real_name="自荐者")
    services.registration_submit(user=applicant, track=industry_track, organisation="某机械厂", province="11")
    return {
        "biwu_track": biwu_track,
        "biwu_round": biwu_round,
        "workers": workers,
        "industry_track": industry_track,
        "industry_round": industry_round,
        "question": questions[0],
        "applicant": applicant,
    }


def _read_back(daphne: Daphne, env: dict) -> None:
    """Stop the server and, on SQLite, copy its database over the test's."""
    daphne.stop()
    if not uses_postgres():
        connection.ensure_connection()
        with closing(sqlite3.connect(env["SQLITE_PATH"])) as source:
            source.backup(connection.connection)


def test_a_biwu_winner_is_nominated_registers_is_approved_checks_and_answers(
    browser, chain, manager_a, organiser, employer_a, tmp_path, results_dir, request
):
    winner, runner_up, third = chain["workers"]
    biwu_track, biwu_round = chain["biwu_track"], chain["biwu_round"]
    track, rnd, question = chain["industry_track"], chain["industry_round"], chain["question"]
    # Sessions first: they are written to the database before the server gets its copy.
    cookies = {
        "manager": session_cookie(manager_a),
        "winner": session_cookie(winner),
        "runner_up": session_cookie(runner_up),
        "organiser": session_cookie(organiser),
    }
    expect.set_options(timeout=TIMEOUT_MS)
    env = database_for_servers(tmp_path)
    daphne = Daphne(env, tmp_path / "daphne.log")
    contexts, pages, errors = {}, {}, []
    try:
        for name, cookie in cookies.items():
            context = browser.new_context(base_url=daphne.http, viewport={"width": 1280, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": daphne.http}])
            contexts[name] = context
            page = pages[name] = context.new_page()
            page.on("pageerror", lambda error, name=name: errors.append(f"{name}: {error}"))
            page.on("dialog", lambda dialog: dialog.accept())  # the confirm() of 确认推荐
        manager, nominee, second, org = (pages[k] for k in cookies)

        # -- 1. The training manager declares the 技术比武 track a qualifier of the industry track ...
        manager.goto(f"/contests/tracks/{biwu_track.pk}/qualifier/")
        manager.locator('select[name="target_track"]').select_option(str(track.pk))
        manager.locator('select[name="quota_scope"]').select_option("organiser")
        manager.locator('input[name="quota"]').fill("2")
        manager.get_by_role("button", name="设为选拔赛项").click()
        expect(manager.get_by_text("已保存选拔推荐设置")).to_be_visible()
        expect(manager.locator("[data-qualifier]")).to_contain_text(
            f"本赛项是 {track}（行业）的选拔赛：每个主办单位（组织者）推荐 2 名。"
        )
        # ... and, the round's results being final, nominates within the quota: preview, then confirm.
        manager.get_by_role("link", name=str(biwu_round)).click()
        expect(manager).to_have_url(re.compile(rf"/contests/rounds/{biwu_round.pk}/nominate/$"))
        proposal = manager.locator("tbody tr[data-registration]")
        expect(proposal).to_have_count(2)  # quota 2: the third is not proposed
        expect(proposal.nth(0)).to_contain_text(winner.real_name)
        expect(proposal.nth(1)).to_contain_text(runner_up.real_name)
        expect(manager.locator("tbody")).not_to_contain_text(third.real_name)
        manager.get_by_role("button", name="确认推荐").click()
        expect(manager.get_by_text("已推荐 2 名选手，被推荐选手将收到报名邀请")).to_be_visible()
        expect(manager.locator("tr[data-nomination]")).to_have_count(2)

        # -- 2. Each nominee opens the notification and registers with the pre-filled details.
        for person in (nominee, second):
            person.goto("/notifications/")
            person.locator(".notice-open", has_text=f"您已被推荐参加：{track.contest.name}").click()
            expect(person).to_have_url(re.compile(r"/contests/nominations/\d+/register/$"))
            expect(person.locator("h1")).to_contain_text(f"推荐报名：{track}")
            expect(person.locator("dl.card")).to_contain_text(employer_a.name)
            expect(person.locator("dl.card")).to_contain_text("江苏省")
            person.get_by_role("button", name="确认报名").click()
            expect(person.get_by_text("已提交报名，请等待大赛组委会审核")).to_be_visible()
            expect(person.locator("[data-status]")).to_have_attribute("data-status", "registered")
        invitation = nominee.url

        # -- 3. The industry organiser approves the nominated registrations in bulk, with a reason.
        org.goto(f"/contests/tracks/{track.pk}/registrations/review/")
        expect(org.locator("tbody tr[data-registration]")).to_have_count(3)
        org.locator('#filters select[name="source"]').select_option(label="推荐")
        org.locator("#filters").get_by_role("button", name="筛选").click()
        rows = org.locator("tbody tr[data-registration]")
        expect(rows).to_have_count(2)
        expect(org.locator("tbody")).not_to_contain_text(chain["applicant"].real_name)
        org.get_by_label("符合当前筛选条件的全部待审核报名").check()
        org.locator('input[name="note"]').fill(REASON)
        org.get_by_role("button", name="批量通过").click()
        expect(org.locator("#bulk-outcome")).to_contain_text("已通过 2 条报名")
        for i in range(2):
            expect(rows.nth(i)).to_contain_text("已通过")
            expect(rows.nth(i)).to_contain_text(REASON)
        nominee.goto(f"/contests/{track.contest.slug}/")  # the nominee reads the decision and its reason
        mine = nominee.locator(f'section[data-track="{track.slug}"]')
        expect(mine.locator('[data-status="approved"]')).to_have_text("已通过")
        expect(mine).to_contain_text(REASON)
        nominee.goto(invitation)  # the invitation now says the nomination was accepted
        expect(nominee.locator("[data-status]")).to_have_attribute("data-status", "accepted")
        nominee.goto(f"/contests/{track.contest.slug}/")

        # -- 4. The nominee passes the device check; the organiser's list shows them as passed.
        mine.locator("[data-device-check-link]").click()
        expect(nominee).to_have_url(re.compile(rf"/contests/rounds/{rnd.pk}/device-check/$"))
        nominee.locator('[data-sample] input[type="radio"]').first.check()
        nominee.locator("[data-sample-submit]").click()
        expect(nominee.locator("[data-result] [data-passed]")).to_have_attribute("data-passed", "true")
        org.goto(f"/contests/rounds/{rnd.pk}/device-checks/")
        expect(org.locator(f'tr[data-user="{winner.pk}"]')).to_contain_text("已通过")
        expect(org.locator(f'tr[data-user="{runner_up.pk}"]')).to_contain_text("未检测")

        # -- 5. The organiser opens the lobby and starts the round; the nominee answers on the console.
        org.goto(f"/contests/rounds/{rnd.pk}/console/")
        org.get_by_role("button", name="开放候场").click()
        org.get_by_role("button", name="开始比赛").click()
        expect(org.get_by_role("button", name="暂停")).to_be_visible()
        nominee.goto(f"/contests/rounds/{rnd.pk}/contestant/")
        expect(nominee.locator("[data-conn]")).to_have_attribute("data-state", "open")
        expect(nominee.locator(f"#q-{question.pk}")).to_be_visible()
        nominee.locator(f'input[name="q-{question.pk}"][value="{question.answer[0]}"]').check()
        expect(nominee.locator(f"#q-{question.pk} .qstate")).to_have_attribute("data-state", "saved")
        expect(nominee.locator("[data-answered]")).to_have_text("已作答 1 / 2 题")
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
        daphne.stop()

    _read_back(daphne, env)
    qualifier = Qualifier.objects.get(source_track=biwu_track)
    assert (qualifier.target_track, qualifier.quota_scope, qualifier.quota) == (track, "organiser", 2)
    nominations = Nomination.objects.filter(qualifier=qualifier).order_by("place")
    assert [(n.user, n.status, n.decided_by) for n in nominations] == [
        (winner, NominationStatus.ACCEPTED, organiser),
        (runner_up, NominationStatus.ACCEPTED, organiser),
    ]
    registration = Registration.objects.get(track=track, user=winner)
    assert (registration.source, registration.status, registration.note) == (
        RegistrationSource.NOMINATED,
        RegistrationStatus.APPROVED,
        REASON,
    )
    assert (registration.organisation, registration.province) == (employer_a.name, "32")
    assert registration.decided_by == organiser
    assert Registration.objects.get(track=track, user=chain["applicant"]).status == RegistrationStatus.PENDING
    assert DeviceCheck.objects.get(round=rnd, user=winner).passed
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.RUNNING
    stored = TheoryAnswer.objects.get(entry__round=rnd, entry__registration=registration)
    assert (stored.question_id, stored.answer) == (question.pk, [question.answer[0]])
