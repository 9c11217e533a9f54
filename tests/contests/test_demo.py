"""contests.demo: the national contest for seed_demo, built through the services, and idempotent."""

import pytest

from accounts.demo import Report
from contests import services
from contests.demo import contest_demo_seed
from contests.models import AuditLog, Contest, Registration, Round, RoundQuestion, TrackJudge, TrackPractice
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count() for m in (Contest, Round, RoundQuestion, Registration, TrackJudge, AuditLog, TrackPractice)
    ]


def test_demo_contest_is_complete_and_a_second_run_adds_nothing(organiser, paper):
    for n in range(1, 7):
        UserFactory(username=f"learner{n}", organisation=f"单位{n}", id_number="")
    contest_demo_seed(Report())
    contest = Contest.objects.get(slug="2026-national")
    assert contest.name == "2026年全国工业和信息化技术技能大赛" and contest.get_level_display() == "国家级"
    assert list(contest.tracks.values_list("name", flat=True)) == [
        "工业互联网安全",
        "集成电路开发及应用",
        "人工智能训练师",
    ]
    rnd = Round.objects.get(track__slug="iiot-security")
    assert rnd.round_questions.count() == len(paper) and rnd.tasks.get().criteria.count() == 3
    assert set(rnd.track.judges.values_list("username", flat=True)) == {"judge1", "judge2", "judge3"}
    assert Registration.objects.filter(status="pending").count() == 1
    assert TrackPractice.objects.filter(track__contest=contest, questions_per_paper=10).count() == 3
    seated = Round.objects.get(track__slug="ai-trainer")
    assert seated.status == "lobby" and seated.seat_draws.get().is_drawn
    assert sorted(seated.entries.values_list("seat_number", flat=True)) == [1, 2]
    assert not seated.entries.filter(checked_in_at__isnull=True).exists()
    before = counts()
    contest_demo_seed(Report())
    assert counts() == before
    services.round_open_lobby(round=rnd, by=organiser)
    assert services.round_start(round=rnd, by=organiser).entries.count() == 4


def _bank_like_the_course_demo(provider):
    """As the course demo does: every course of a category copies some of the category's seven questions
    into its own quiz (a row per course), so the same question sits in the bank several times."""
    from courses.demo.data import QUIZ_PICKS
    from tests.factories import CategoryFactory, CourseFactory, QuestionFactory, QuizFactory, QuizQuestionFactory

    for slug in ("iiot", "cybersecurity", "ic", "ai", "nev"):
        category = CategoryFactory(slug=slug, name=slug)
        for picks in QUIZ_PICKS:
            quiz = QuizFactory(course=CourseFactory(provider=provider, category=category))
            for order, index in enumerate(picks):
                question = QuestionFactory(provider=provider, stem=f"{slug}题{index}")
                QuizQuestionFactory(quiz=quiz, question=question, sort_order=order)


def test_demo_papers_have_no_question_twice(provider_a, organiser):
    for n in range(1, 7):
        UserFactory(username=f"learner{n}", organisation=f"单位{n}", id_number="")
    _bank_like_the_course_demo(provider_a)
    contest_demo_seed(Report())
    rounds = list(Round.objects.filter(track__contest__slug="2026-national").order_by("pk"))
    assert len(rounds) == 3
    for rnd in rounds:
        stems = [rq.question.stem for rq in rnd.round_questions.select_related("question")]
        assert len(stems) == 10 and len(set(stems)) == 10, (rnd, stems)
    ic = Round.objects.get(track__slug="ic", track__contest__slug="2026-national")
    ic_stems = set(ic.round_questions.values_list("question__stem", flat=True))
    assert {f"ic题{i}" for i in range(7)} <= ic_stems  # its own category first, then other banks
    security = Round.objects.get(track__slug="iiot-security")
    assert not ic_stems & set(security.round_questions.values_list("question__stem", flat=True))
