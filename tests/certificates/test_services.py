"""Issuing, revoking and re-rendering, as the rest of the site triggers them."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.utils import translation

from certificates import services
from certificates.credentials import verify_credential
from certificates.models import Certificate, CertificateTemplate
from certificates.selectors import awards_for_round
from certificates.templating import layout_default, layout_for
from courses import services as course_services
from courses.models import Enrolment, QuizAttempt
from tests.certificates.contest_data import NAMES, assessment_round, published_round
from tests.factories import UserFactory


def test_completing_a_course_issues_its_certificate_once(learner, course, django_capture_on_commit_callbacks):
    course_services.enrolment_create(learner=learner, course=course)
    lessons = list(course.lessons.filter(quiz__isnull=True).order_by("sort_order"))
    for lesson in lessons:
        course_services.lesson_complete(learner=learner, lesson=lesson)
    assert not Certificate.objects.exists()
    attempt = course_services.quiz_attempt_start(learner=learner, quiz=course.final_quiz)
    data = QueryDict(mutable=True)
    for question in attempt.quiz.quiz_questions.select_related("question"):
        q = question.question
        data[f"q-{q.pk}"] = q.answer[0] if q.kind == "single" else ("true" if q.answer else "false")
    with django_capture_on_commit_callbacks(execute=True):
        course_services.quiz_attempt_submit(attempt=attempt, learner=learner, data=data)
    assert QuizAttempt.objects.get(pk=attempt.pk).passed
    enrolment = Enrolment.objects.get(learner=learner, course=course)
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.kind == "completion" and certificate.holder == learner
    assert certificate.snapshot["course"]["title"] == "工业互联网平台应用"
    assert certificate.number.startswith("JY")
    # again (a retried task, a second completion check): still one
    assert services.certificate_issue_completion(enrolment=enrolment) == certificate
    assert Certificate.objects.count() == 1


def test_an_unfinished_enrolment_gets_no_certificate(learner, course):
    enrolment = Enrolment.objects.create(learner=learner, course=course)
    assert services.certificate_issue_completion(enrolment=enrolment) is None


def test_issued_certificate_never_changes_when_course_or_profile_do(certificate, client):
    url = f"/verify/{certificate.code}/"
    before = client.get(url).content.decode()
    course = certificate.course
    course.title = "改名后的课程"
    course.save()
    holder = certificate.holder
    holder.real_name = "张三丰"
    holder.id_number = "110105194912310021"
    holder.save()
    after = client.get(url).content.decode()
    assert "工业互联网平台应用" in after and "改名后的课程" not in after
    assert "张三丰" not in after and "张三" in after
    assert _facts_block(before) == _facts_block(after)
    certificate.refresh_from_db()
    assert verify_credential(certificate.credential)


def _facts_block(html: str) -> str:
    return html[html.index('<dl class="facts">') : html.index("</dl>")]


def test_skill_level_is_for_organisers_only(learner, other_learner, organiser):
    with pytest.raises(PermissionDenied):
        services.certificate_issue_skill_level(holder=other_learner, level=3, occupation="电工", issued_by=learner)
    with pytest.raises(ValidationError):
        services.certificate_issue_skill_level(holder=other_learner, level=0, occupation="电工", issued_by=organiser)
    with pytest.raises(ValidationError):
        services.certificate_issue_skill_level(holder=other_learner, level=3, occupation=" ", issued_by=organiser)
    assert not Certificate.objects.exists()


def test_awards_for_round_reads_the_published_bands(organiser):
    rnd = published_round(organiser=organiser)
    rows = awards_for_round(rnd)
    assert [(r.user.real_name, r.award_label, r.rank) for r in rows] == [
        (NAMES[0], "一等奖", 1),
        (NAMES[1], "二等奖", 2),
        (NAMES[2], "三等奖", 3),
        (NAMES[3], "优秀奖", 4),
    ]
    assert rows[0].contest == "2026年全国工业和信息化技术技能大赛" and rows[0].track == "工业互联网安全"


def test_award_certificates_for_a_round_in_one_action_idempotent(organiser):
    from certificates import jobs

    rnd = published_round(organiser=organiser)
    job = jobs.job_create_awards(rnd=rnd, issued_by=organiser)
    job = jobs.job_run(job.pk) if job.status == "pending" else job
    job.refresh_from_db()
    assert (job.status, job.total, job.done, job.failed) == ("done", 4, 4, 0)
    awards = Certificate.objects.filter(kind="award").order_by("number")
    assert sorted(c.snapshot["contest"]["award"] for c in awards) == ["一等奖", "三等奖", "二等奖", "优秀奖"]
    first = awards.get(holder__real_name=NAMES[0])
    assert first.number[6] == "1" and first.snapshot["issuer"].endswith("组委会")
    assert first.credential["credentialSubject"]["achievement"]["achievementType"] == "Award"
    again = jobs.job_run(jobs.job_create_awards(rnd=rnd, issued_by=organiser).pk)
    assert (again.done, again.skipped) == (0, 4)
    assert Certificate.objects.filter(kind="award").count() == 4


def test_no_award_certificate_while_results_are_provisional(organiser):
    """成绩公示中 (PUBLISHED): the results may still change through a review, so nothing is issued;
    once the round is FINAL the same job issues them."""
    from certificates import jobs

    rnd = published_round(organiser=organiser, status="published")
    assert awards_for_round(rnd) == []
    with pytest.raises(ValidationError, match="成绩确认"):
        jobs.job_create_awards(rnd=rnd, issued_by=organiser)
    assessment = assessment_round(organiser=organiser, status="published")
    with pytest.raises(ValidationError, match="成绩确认"):
        jobs.job_create_skill_levels_from_assessment(rnd=assessment, issued_by=organiser)
    assert not Certificate.objects.exists()
    rnd.status = "final"
    rnd.save(update_fields=["status"])
    job = jobs.job_create_awards(rnd=rnd, issued_by=organiser)
    job = jobs.job_run(job.pk) if job.status == "pending" else job
    assert Certificate.objects.filter(kind="award").count() == 4


def test_skill_levels_from_an_assessment_go_to_those_who_passed_only_once(organiser):
    from certificates import jobs

    rnd = assessment_round(organiser=organiser)
    job = jobs.job_run(jobs.job_create_skill_levels_from_assessment(rnd=rnd, issued_by=organiser).pk)
    assert (job.status, job.total, job.done) == ("done", 4, 4)
    assert NAMES[4] not in set(Certificate.objects.values_list("holder__real_name", flat=True))
    again = jobs.job_run(jobs.job_create_skill_levels_from_assessment(rnd=rnd, issued_by=organiser).pk)
    assert (again.done, again.skipped) == (0, 4)
    assert Certificate.objects.filter(kind="skill_level").count() == 4


def test_award_wording_names_the_award_without_a_place(organiser):
    """Never "二等奖（第 1 名）": the sentence names the award only; the place is its own field, shared by
    equal totals as they share a band."""
    from certificates import jobs

    rnd = published_round(organiser=organiser)
    ScoreboardRow = rnd.board_rows.model
    ScoreboardRow.objects.filter(round=rnd, name=NAMES[1]).update(total=95)  # ties with the winner
    job = jobs.job_create_awards(rnd=rnd, issued_by=organiser)
    jobs.job_run(job.pk) if job.status == "pending" else job
    tied = Certificate.objects.get(kind="award", holder__real_name=NAMES[1]).snapshot
    assert tied["contest"]["award"] == "一等奖" and tied["contest"]["rank"] == 1
    for certificate in Certificate.objects.filter(kind="award"):
        assert "名）" not in certificate.snapshot["description"] and "第" not in certificate.snapshot["description"]


def test_team_awards_give_every_member_a_certificate(organiser):
    rnd = published_round(organiser=organiser, team=True)
    rows = awards_for_round(rnd)
    assert len(rows) == 8
    assert {r.team for r in rows if r.award_label == "一等奖"} == {"第1队"}
    assert {r.user.real_name for r in rows if r.award_label == "一等奖"} == {NAMES[0], f"{NAMES[0]}的队友"}


def test_award_issuance_needs_an_organiser(organiser, learner):
    rnd = published_round(organiser=organiser)
    with pytest.raises(PermissionDenied):
        services.certificate_issue_award(row=awards_for_round(rnd)[0], issued_by=learner)


def test_revoking_keeps_the_certificate_with_reason_time_and_who(certificate, organiser, learner):
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(certificate=certificate, reason="误发", by=learner)
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, reason="  ", by=organiser)
    revoked = services.certificate_revoke(certificate=certificate, reason="学习记录存在代学行为", by=organiser)
    assert (revoked.status, revoked.revoke_reason, revoked.revoked_by) == ("revoked", "学习记录存在代学行为", organiser)
    assert revoked.revoked_at is not None
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, reason="again", by=organiser)
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_rerender_keeps_number_code_and_signature(certificate, organiser):
    default = layout_default("completion")
    CertificateTemplate.objects.create(
        kind="completion", html=default.html.replace("准予结业", "准予结业（新版）"), css=default.css, version=2
    )
    before = (certificate.number, certificate.code, certificate.credential, certificate.pdf_sha256)
    rerendered = services.certificate_rerender(certificate=certificate, by=organiser)
    assert (rerendered.number, rerendered.code, rerendered.credential) == before[:3]
    assert rerendered.pdf_sha256 != before[3] and rerendered.template_version == 2
    from tests.certificates.helpers import pdftotext

    with rerendered.pdf.open("rb") as handle:
        assert "新版" in pdftotext(handle.read())
    with pytest.raises(PermissionDenied):
        services.certificate_rerender(certificate=certificate, by=UserFactory())


# ------------------------------------------------------------------ bulk batches


def _media_files() -> list:
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p) for p in root.rglob("*.pdf")) if root.exists() else []


def test_a_batch_takes_serials_once_and_gives_back_those_left_at_its_end(organiser):
    from certificates import pdf
    from certificates.models import NumberSequence

    names = ["甲一", "乙\ue000二", "丙三", "丁\ue000四"]  # the second and fourth cannot be drawn
    people = [UserFactory(real_name=name) for name in names]
    items = [services.skill_level_item(holder=p, level=3, occupation="电工", issued_by=organiser) for p in people]
    results = services.issue_many(items)
    assert [type(r) for r in results] == [Certificate, pdf.MissingGlyphError, Certificate, pdf.MissingGlyphError]
    assert [int(r.number[-6:]) for r in results if isinstance(r, Certificate)] == [1, 3]  # 2 was taken before it failed
    assert NumberSequence.objects.get(kind="skill_level").last == 3  # 4 handed back: nobody took a later one
    assert len(_media_files()) == 2
    assert all(verify_credential(r.credential) for r in results if isinstance(r, Certificate))
    later = services.issue_many(items[:1] + items[2:3])
    assert [int(r.number[-6:]) for r in later] == [4, 5]


def test_an_item_that_fails_before_rendering_leaves_its_serial_to_the_next(organiser, monkeypatch):
    people = [UserFactory(real_name=name) for name in ["甲一", "乙二", "丙三"]]
    items = [services.skill_level_item(holder=p, level=2, occupation="焊工", issued_by=organiser) for p in people]
    real_sign = services.credentials.sign

    def sign(document, **kwargs):
        if document["credentialSubject"]["identifier"][0]["identityHash"] == "乙二":
            raise ValueError("签名失败")
        return real_sign(document, **kwargs)

    monkeypatch.setattr(services.credentials, "sign", sign)
    results = services.issue_many(items)
    assert isinstance(results[1], ValueError)
    assert [int(r.number[-6:]) for r in (results[0], results[2])] == [1, 2]


def test_a_duplicate_in_a_batch_fails_alone_and_leaves_no_file(organiser):
    """The rows of a batch go in with one insert; when that fails they go in one by one."""
    holder, other = UserFactory(real_name="甲一"), UserFactory(real_name="乙二")
    item = services.skill_level_item(holder=holder, level=3, occupation="电工", issued_by=organiser, source="list:7")
    twin = services.skill_level_item(holder=holder, level=3, occupation="电工", issued_by=organiser, source="list:7")
    fine = services.skill_level_item(holder=other, level=3, occupation="电工", issued_by=organiser, source="list:7")
    results = services.issue_many([item, twin, fine])
    assert isinstance(results[0], Certificate) and isinstance(results[2], Certificate)
    assert isinstance(results[1], Exception)
    assert Certificate.objects.count() == 2
    assert _media_files() == sorted(c.pdf.path for c in Certificate.objects.all())


def test_labels_are_frozen_in_chinese_whatever_language_the_organiser_reads(organiser):
    rnd = published_round(organiser=organiser)
    rnd.title = ""
    rnd.save()
    with translation.override("en"):
        rows = awards_for_round(rnd)
        award, _created = services.certificate_issue_award(row=rows[0], issued_by=organiser)
        skill = services.certificate_issue_skill_level(
            holder=UserFactory(real_name="甲一"), level=2, occupation="电工", issued_by=organiser
        )
    assert (rows[0].award_label, rows[0].round) == ("一等奖", "预赛")
    assert award.snapshot["contest"]["award"] == "一等奖" and award.number[6] == "1"
    assert skill.snapshot["level"]["label"] == "二级/技师"
    assert skill.snapshot["description"].endswith("“电工”二级/技师职业技能等级")


# ------------------------------------------------------------------ layouts


def test_saving_a_layout_numbers_its_versions_and_records_who(organiser):
    default = layout_default("skill_level")
    first = services.certificate_template_save(kind="skill_level", html=default.html, css=default.css, by=organiser)
    assert (first.version, first.updated_by) == (1, organiser)
    html = default.html.replace("特发此证", "特发此证书")
    second = services.certificate_template_save(kind="skill_level", html=html, css="", by=organiser)
    assert (second.pk, second.version, second.html, second.css) == (first.pk, 2, html, "")
    assert layout_for("skill_level").version == 2 and layout_for("completion").version == 0


@pytest.mark.parametrize(
    ("kind", "html", "css"),
    [
        ("skill_level", "{% if %}", ""),
        ("skill_level", "<p>{{ holder.name }}</p>", "</style>"),
        ("nonsense", "<p></p>", ""),
    ],
)
def test_a_broken_layout_or_an_unknown_kind_is_refused(organiser, kind, html, css):
    with pytest.raises(ValidationError):
        services.certificate_template_save(kind=kind, html=html, css=css, by=organiser)
    assert not CertificateTemplate.objects.exists()


def test_only_organisers_change_layouts(organiser, learner):
    default = layout_default("award")
    services.certificate_template_save(kind="award", html=default.html, css=default.css, by=organiser)
    with pytest.raises(PermissionDenied):
        services.certificate_template_save(kind="award", html=default.html, css=default.css, by=learner)
    with pytest.raises(PermissionDenied):
        services.certificate_template_reset(kind="award", by=learner)
    assert CertificateTemplate.objects.get(kind="award").version == 1


def test_resetting_goes_back_to_the_built_in_layout(organiser):
    default = layout_default("completion")
    services.certificate_template_save(kind="completion", html=default.html + " ", css=default.css, by=organiser)
    assert services.certificate_template_reset(kind="completion", by=organiser) is True
    assert not CertificateTemplate.objects.exists()
    assert layout_for("completion") == default
    assert services.certificate_template_reset(kind="completion", by=organiser) is False
