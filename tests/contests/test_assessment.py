"""职业技能等级认定 on a round's machinery: pass marks per part instead of ranks, no rank anywhere, the
same review window and finalisation, skill-level certificates for those who passed (once, from FINAL
results only), and the filing file in its documented layout for organisers only.

The round of tests/contests/conftest.py made an assessment: theory out of 30 (three questions of 10),
practical out of 100 (judgement 60 + measurement 40), both marks 60 %: 18 theory points, 60 practical.
张三 (entry): theory 20, practical 40 + 20 = 60, exactly at the mark → 合格.
李四 (other_entry): theory 30, practical 30 + 29 = 59 → 不合格 (实操), until a review re-marks it.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from certificates import jobs
from certificates.models import Certificate, IssueJob
from contests import assessment, assessment_export, assessment_results, results, scoreboard, selectors, services
from contests.events import PUBLIC, STAFF
from contests.liveboard import LiveBoard
from contests.models import AuditLog, Entry, ReviewRequest, Round, Track, TrackJudge
from contests.services import assessment as assessment_services
from experts.models import Expert
from organisations import creditcode
from organisations import services as organisation_services
from organisations.models import Region
from tests.contests.factories import ContestFactory, TrackFactory
from tests.contests.helpers import cid, criterion_of, results_publish, right, theory_answer_save, wrong
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def draft_round(draft_round):
    """The conftest's round, its track made a skill-level assessment (工业机器人系统操作员 四级)."""
    Track.objects.filter(pk=draft_round.track_id).update(
        purpose="assessment",
        occupation="工业机器人系统操作员",
        skill_level=4,
        theory_pass_mark=D(60),
        practical_pass_mark=D(60),
    )
    return Round.objects.select_related("track__contest").get(pk=draft_round.pk)


@pytest.fixture
def chief(running_round, organiser):
    boss = UserFactory(username="chief", real_name="考评组长甲")
    services.judge_assign(track=running_round.track, judge=boss, by=organiser)
    TrackJudge.objects.filter(track=running_round.track, judge=boss).update(is_chief=True)
    return boss


@pytest.fixture
def scored(running_round, entry, other_entry, judge, paper, organiser, learner, other_learner):
    learner.id_number, other_learner.id_number = "11010519491231002X", "440524188001010014"
    learner.save(update_fields=["id_number"])
    other_learner.save(update_fields=["id_number"])
    for q, good in zip(paper, (True, True, False), strict=True):
        theory_answer_save(entry=entry, question_id=q.pk, client_id=cid(), answer=right(q) if good else wrong(q))
        theory_answer_save(entry=other_entry, question_id=q.pk, client_id=cid(), answer=right(q))
    judgement, measurement = criterion_of(running_round, "judgement"), criterion_of(running_round, "measurement")
    for e, (a, b) in ((entry, (40, 20)), (other_entry, (30, 29))):
        services.judge_score_submit(judge=judge, entry=e, criterion=judgement, value=a, confirm=True)
        services.judge_score_submit(judge=judge, entry=e, criterion=measurement, value=b, confirm=True)
    services.round_end(round=running_round, by=organiser)
    return Round.objects.select_related("track__contest").get(pk=running_round.pk)


def finalise(rnd, *, chief, clock) -> Round:
    services.round_confirm_final(round=rnd, by=chief)
    clock.move_to(Round.objects.get(pk=rnd.pk).published_at + dt.timedelta(hours=rnd.review_window_hours + 1))
    services.round_finalise_if_due(round_id=rnd.pk)
    return Round.objects.select_related("track__contest").get(pk=rnd.pk)


def verdicts(rnd) -> dict[str, tuple]:
    return {r.name: (r.passed, r.verdict.reasons) for r in assessment_results.round_verdicts(rnd)}


# ------------------------------------------------------------------ the rule, with its edges


@pytest.mark.parametrize(
    ("score", "maximum", "mark", "passed"),
    [
        (D(60), D(100), D(60), True),  # exactly at the mark
        (D("59.99"), D(100), D(60), False),
        (D(18), D(30), D(60), True),  # 60 % of 30
        (D("17.9"), D(30), D(60), False),
        (D(0), D(50), D(0), True),  # a mark of 0 passes anyone who sat it
        (D(50), D(50), D(100), True),
    ],
)
def test_a_part_passes_at_or_above_its_mark_in_percent_of_the_parts_maximum(score, maximum, mark, passed):
    result = assessment.part_result(part="theory", present=True, score=score, maximum=maximum, mark=mark)
    assert result.passed is passed and bool(result.reason) is not passed


def test_a_missing_part_fails_whatever_its_score_and_a_zero_maximum_cannot_be_judged():
    absent = assessment.part_result(part="practical", present=False, score=D(0), maximum=D(100), mark=D(0))
    assert not absent.passed and absent.reason == "操作技能缺考" and absent.percent is None
    empty = assessment.part_result(part="theory", present=True, score=D(0), maximum=D(0), mark=D(60))
    assert not empty.passed and "无法评定" in empty.reason
    assert not assessment.verdict([]).passed  # nothing assessed is not a pass


def test_the_verdict_needs_every_part_and_gives_a_reason_for_each_failing_one():
    theory = assessment.part_result(part="theory", present=True, score=D(59), maximum=D(100), mark=D(60))
    practical = assessment.part_result(part="practical", present=False, score=D(0), maximum=D(100), mark=D(60))
    both = assessment.verdict([theory, practical])
    assert (both.passed, both.label) == (False, "不合格")
    assert both.reasons == ["理论知识成绩 59 未达合格线 60（满分 100）", "操作技能缺考"]
    good = assessment.part_result(part="theory", present=True, score=D(60), maximum=D(100), mark=D(60))
    assert assessment.verdict([good]).label == "合格"  # a theory-only plan: its one part decides


# ------------------------------------------------------------------ the plan's settings


@pytest.mark.parametrize("mark", [D("100.01"), D(-1)])
def test_a_pass_mark_above_the_parts_maximum_or_negative_is_refused(organiser, mark):
    fields = {"purpose": "assessment", "occupation": "电工", "skill_level": 4}
    track = TrackFactory.build(contest=ContestFactory(organiser=organiser), theory_pass_mark=mark, **fields)
    with pytest.raises(ValidationError) as refused:
        track.full_clean()
    assert "theory_pass_mark" in refused.value.message_dict
    saved = TrackFactory(contest__organiser=organiser, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Track.objects.filter(pk=saved.pk).update(practical_pass_mark=mark)


def test_an_assessment_needs_its_occupation_and_level_and_individual_candidates(organiser):
    track = TrackFactory.build(contest=ContestFactory(organiser=organiser), purpose="assessment", kind="team")
    with pytest.raises(ValidationError) as refused:
        track.clean()
    assert {"occupation", "skill_level", "kind"} <= set(refused.value.message_dict)
    saved = TrackFactory(contest__organiser=organiser, kind="team")
    with pytest.raises(IntegrityError), transaction.atomic():
        Track.objects.filter(pk=saved.pk).update(purpose="assessment", occupation="电工", skill_level=4)


# ------------------------------------------------------------------ verdicts, and no ranks anywhere


def test_each_candidate_is_judged_part_by_part(scored):
    assert verdicts(scored) == {
        "张三": (True, []),
        "李四": (False, ["操作技能成绩 59 未达合格线 60（满分 100）"]),
    }
    assert (scored.theory_max, scored.practical_max) == (D(30), D(100))


def test_a_candidate_who_sat_nothing_fails_both_parts_as_absent(running_round, organiser, entry):
    late = services.registration_submit(
        user=UserFactory(username="w5", real_name="王五"),
        track=running_round.track,
        organisation="丙公司",
        province="11",
    )
    services.registration_approve(registration=late, by=organiser)
    services.round_end(round=running_round, by=organiser)
    assert verdicts(running_round)["王五"] == (False, ["理论知识缺考", "操作技能缺考"])


def test_no_rank_and_no_award_reach_anyone(scored, organiser):
    for live in (True, False):
        rows = selectors.board_ranked(scored, live=live)
        assert rows and all(r["rank"] is None and r["total"] is None for r in rows)
        assert selectors.scoreboard_entry_row(scored, rows[0]["entry"], live=live)["rank"] is None
    for audience in (STAFF, PUBLIC):
        snapshot = scoreboard.snapshot_payload(scored, audience=audience, view="all")
        assert all(r["rank"] is None for r in snapshot["rows"])
    board = LiveBoard(scored.pk)
    board.advance()
    assert all(r["rank"] is None for aud in (STAFF, PUBLIC) for r in board.ranked(aud))
    assert board.mine(rows[0]["entry"])["rank"] is None
    assert selectors.round_results(scored) == [] and selectors.final_awards(scored) == []
    assert results.award_preview(scored).results == []


def test_the_public_board_before_the_end_has_no_rank_either(running_round, entry, paper, judge):
    theory_answer_save(entry=entry, question_id=paper[0].pk, client_id=cid(), answer=right(paper[0]))
    services.judge_score_submit(
        judge=judge, entry=entry, criterion=criterion_of(running_round, "judgement"), value=50, confirm=True
    )
    assert all(r["rank"] is None for r in selectors.board_ranked(running_round, live=True))
    board = LiveBoard(running_round.pk)
    board.advance()
    assert all(r["rank"] is None for r in board.ranked(STAFF) + board.ranked(PUBLIC))


def test_pages_show_verdicts_not_ranks_or_awards(client, scored, organiser):
    results_publish(scored, by=organiser)
    body = client.get(f"/contests/rounds/{scored.pk}/results/").content.decode()
    assert "data-assessment" in body and "合格" in body and "不合格" in body
    assert ">名次<" not in body and "一等奖" not in body and "奖项规则" not in body
    client.force_login(organiser)
    board = client.get(f"/contests/rounds/{scored.pk}/scoreboard/").content.decode()
    assert "不排名次" in board


# ------------------------------------------------------------------ the review window, then final


def test_publication_confirms_the_verdicts_and_a_changed_score_needs_a_new_confirmation(scored, organiser, judge):
    digest = results.awards_digest(scored)
    services.round_awards_confirm(round=scored, by=organiser, digest=digest)
    services.judge_score_submit(
        judge=judge,
        entry=scored.entries.get(registration__user__real_name="李四"),
        criterion=criterion_of(scored, "measurement"),
        value=30,
        confirm=True,
    )
    assert results.awards_digest(scored) != digest
    with pytest.raises(ValidationError, match="重新确认"):
        services.round_publish_results(round=scored, by=organiser)


def test_a_candidates_review_request_works_and_a_remark_changes_the_verdict(
    client, scored, organiser, chief, other_learner, clock
):
    rnd = results_publish(scored, by=organiser)
    task = rnd.tasks.get()
    client.force_login(other_learner)
    response = client.post(f"/contests/rounds/{rnd.pk}/review/", {"subject": f"task-{task.pk}", "reason": "测量有误"})
    assert response.status_code == 302
    review = ReviewRequest.objects.get(task=task)
    with pytest.raises(ValidationError):  # not final while a request is pending
        services.round_confirm_final(round=rnd, by=chief)
    services.review_change(
        review=review, by=chief, answer="复测为 30", values={criterion_of(rnd, "measurement").pk: "30"}
    )
    assert verdicts(rnd)["李四"] == (True, [])
    rnd = finalise(rnd, chief=chief, clock=clock)
    assert rnd.status == "final"
    assert [r.name for r in assessment_results.passed_candidates(rnd)] == ["张三", "李四"]


# ------------------------------------------------------------------ certificates


def test_certificates_are_refused_before_final_and_for_a_contest_round(scored, organiser, chief, clock):
    with pytest.raises(ValidationError, match="成绩确认"):
        assessment_services.assessment_certificates_issue(round=scored, by=organiser)  # ended
    rnd = results_publish(scored, by=organiser)
    with pytest.raises(ValidationError, match="成绩确认"):
        assessment_services.assessment_certificates_issue(round=rnd, by=organiser)  # 公示中
    with pytest.raises(PermissionDenied):
        assessment_services.assessment_certificates_issue(round=rnd, by=chief)
    rnd = finalise(rnd, chief=chief, clock=clock)
    with pytest.raises(ValidationError, match="不设奖项"):
        jobs.job_create_awards(rnd=rnd, issued_by=organiser)
    Track.objects.filter(pk=rnd.track_id).update(purpose="contest")
    rnd = Round.objects.select_related("track__contest").get(pk=rnd.pk)
    with pytest.raises(ValidationError, match="不是职业技能等级认定"):
        assessment_services.assessment_certificates_issue(round=rnd, by=organiser)
    with pytest.raises(ValidationError, match="不是职业技能等级认定"):
        jobs.job_create_skill_levels_from_assessment(rnd=rnd, issued_by=organiser)
    assert not Certificate.objects.exists() and not IssueJob.objects.exists()


def test_those_who_passed_get_their_level_once(scored, organiser, chief, clock, learner):
    rnd = finalise(results_publish(scored, by=organiser), chief=chief, clock=clock)
    job = jobs.job_run(assessment_services.assessment_certificates_issue(round=rnd, by=organiser).pk)
    assert (job.status, job.total, job.done, job.failed) == ("done", 1, 1, 0)
    certificate = Certificate.objects.get()
    assert certificate.holder == learner and certificate.source == f"round:{rnd.pk}:skill"
    assert (certificate.snapshot["level"]["label"], certificate.snapshot["occupation"]) == (
        "四级/中级工",
        "工业机器人系统操作员",
    )
    again = jobs.job_run(assessment_services.assessment_certificates_issue(round=rnd, by=organiser).pk)
    assert (again.done, again.skipped) == (0, 1)
    assert Certificate.objects.count() == 1
    line = AuditLog.objects.filter(action="assessment.certificates").order_by("pk").first()
    assert line.data == {"job": job.pk, "candidates": 1} and line.actor == organiser


def test_a_crafted_post_cannot_add_someone_who_failed(
    client, scored, organiser, chief, clock, other_learner, django_capture_on_commit_callbacks
):
    rnd = finalise(results_publish(scored, by=organiser), chief=chief, clock=clock)
    failed = Entry.objects.get(round=rnd, registration__user=other_learner)
    client.force_login(organiser)
    forged = {"action": "issue", "registration": failed.registration_id, "user": other_learner.pk, "entry": failed.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/contests/rounds/{rnd.pk}/assessment/", forged)
    assert response.status_code == 302 and "/certificates/manage/jobs/" in response["Location"]
    assert not Certificate.objects.filter(holder=other_learner).exists()
    assert Certificate.objects.count() == 1


# ------------------------------------------------------------------ assessors from the pool, recusal


def test_a_recused_assessor_cannot_score_and_the_refusal_is_audited(running_round, organiser):
    company = organisation_services.organisation_create(
        kind="employer",
        name="丙公司",
        credit_code=creditcode.complete("91320214MA1P8H3L5"),
        city=Region.objects.get(pk="3201"),
    )
    assessor = UserFactory(username="qian", real_name="钱文博")
    Expert.objects.create(name="钱文博", organisation=company, user=assessor)
    services.judge_assign(track=running_round.track, judge=assessor, by=organiser)
    late = services.registration_submit(
        user=UserFactory(username="late", real_name="王五"),
        track=running_round.track,
        organisation="丙公司",
        province="32",
    )
    services.registration_approve(registration=late, by=organiser)
    entry = Entry.objects.get(registration=late, round=running_round)
    with pytest.raises(PermissionDenied, match="回避"):
        services.judge_score_submit(
            judge=assessor, entry=entry, criterion=criterion_of(running_round, "judgement"), value=50, confirm=True
        )
    assert AuditLog.objects.filter(action="score.recused", actor=assessor).exists()


def test_the_pool_page_calls_them_assessors(client, draft_round, organiser):
    client.force_login(organiser)
    body = client.get(f"/experts/tracks/{draft_round.track_id}/judges/").content.decode()
    assert "考评员指派" in body and "工业机器人系统操作员" in body


# ------------------------------------------------------------------ the filing file


def test_the_file_has_exactly_the_documented_columns(scored, organiser, chief, clock, learner):
    rnd = finalise(results_publish(scored, by=organiser), chief=chief, clock=clock)
    jobs.job_run(assessment_services.assessment_certificates_issue(round=rnd, by=organiser).pk)
    rows = list(csv.reader(io.StringIO(assessment_export.export_csv(rnd, full_ids=True).decode("utf-8-sig"))))
    documented = open("docs/assessment.md", encoding="utf-8").read()  # noqa: SIM115
    header = "| " + " | ".join(assessment_export.COLUMNS) + " |"
    assert header in documented
    assert rows[0] == list(assessment_export.COLUMNS) == [
        "序号", "姓名", "证件类型", "证件号码", "性别", "工作单位", "职业（工种）", "等级",
        "理论成绩", "实操成绩", "综合评定", "考核日期", "证书编号", "考评员", "备注",
    ]  # fmt: skip
    number = Certificate.objects.get(holder=learner).number
    assert rows[1] == [
        "1", "张三", "居民身份证", "11010519491231002X", "女", "甲公司", "工业机器人系统操作员", "四级/中级工",
        "66.7", "60.0", "合格", "2026-05-20", number, "评委甲", "",
    ]  # fmt: skip
    assert rows[2][4] == "男" and rows[2][10] == "不合格" and rows[2][12] == "" and "实" not in rows[2][9]
    assert rows[2][14] == "操作技能成绩 59 未达合格线 60（满分 100）"
    masked = list(csv.reader(io.StringIO(assessment_export.export_csv(rnd, full_ids=False).decode("utf-8-sig"))))
    assert masked[1][3] != "11010519491231002X" and masked[1][3].startswith("1101") and "*" in masked[1][3]
    book = load_workbook(io.BytesIO(assessment_export.export_xlsx(rnd, full_ids=True)))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == list(assessment_export.COLUMNS)
    assert sheet.max_row == 3


def test_formula_cells_are_neutralised(scored, organiser, chief, clock):
    scored.board_rows.filter(name="张三").update(organisation='=HYPERLINK("http://x","y")')
    rnd = finalise(results_publish(scored, by=organiser), chief=chief, clock=clock)
    rows = list(csv.reader(io.StringIO(assessment_export.export_csv(rnd, full_ids=True).decode("utf-8-sig"))))
    assert rows[1][5].startswith("'=")
    sheet = load_workbook(io.BytesIO(assessment_export.export_xlsx(rnd, full_ids=True))).worksheets[0]
    assert sheet.cell(row=2, column=6).value.startswith("'=")


def test_only_organisers_download_the_file_and_each_download_is_audited(
    client, scored, organiser, chief, clock, learner, judge
):
    rnd = finalise(results_publish(scored, by=organiser), chief=chief, clock=clock)
    url = f"/contests/rounds/{rnd.pk}/assessment/results.csv"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (learner, judge, chief):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get(f"/contests/rounds/{rnd.pk}/assessment/").status_code == 403
    client.force_login(organiser)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
    assert "11010519491231002X" in response.content.decode("utf-8-sig")
    masked = client.get(f"/contests/rounds/{rnd.pk}/assessment/results.xlsx?ids=masked")
    assert masked.status_code == 200 and masked["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(f"/contests/rounds/{rnd.pk}/assessment/results.pdf").status_code == 404
    assert [line.data for line in AuditLog.objects.filter(action="assessment.export").order_by("pk")] == [
        {"format": "csv", "full_ids": True},
        {"format": "xlsx", "full_ids": False},
    ]
    page = client.get(f"/contests/rounds/{rnd.pk}/assessment/").content.decode()
    assert "11010519491231002X" not in page and "合格" in page


def test_no_file_before_final_and_none_for_a_contest_round(client, scored, organiser):
    client.force_login(organiser)
    assert client.get(f"/contests/rounds/{scored.pk}/assessment/results.csv").status_code == 404
    Track.objects.filter(pk=scored.track_id).update(purpose="contest")
    assert client.get(f"/contests/rounds/{scored.pk}/assessment/").status_code == 404


def test_the_plan_is_fixed_once_a_round_has_started(client, running_round, organiser, judge):
    track = running_round.track
    data = {
        "contest": track.contest_id,
        "name": track.name,
        "slug": track.slug,
        "kind": "individual",
        "team_size_max": "1",
        "sort_order": "0",
        "theory_weight": "30",
        "practical_weight": "70",
        "award_mode": "percent",
        "award_first": "10",
        "award_second": "20",
        "award_third": "30",
        "award_merit": "0",
        "purpose": "assessment",
        "occupation": "工业机器人系统操作员",
        "skill_level": "4",
        "theory_pass_mark": "50",
        "practical_pass_mark": "60",
        "judge_users": [judge.pk],
    }
    client.force_login(organiser)
    response = client.post(reverse("contests_track:edit", args=[track.pk]), data)
    assert response.status_code == 200 and "不能再修改" in response.content.decode()
    track.refresh_from_db()
    assert track.theory_pass_mark == 60
    data["theory_pass_mark"] = "60"  # the same plan: other fields may still be saved
    data["name"] = "工业机器人系统操作员（四级）"
    assert client.post(reverse("contests_track:edit", args=[track.pk]), data).status_code == 302
