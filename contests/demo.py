"""Contest demo data for `seed_demo`: the 2026 national contest, three tracks, a round each, judges, contestants.

Built through the services after the learning demo (it needs the organiser, learner1…6 and the question
banks). Keyed on slugs and usernames, so a second run adds nothing. The rounds are scheduled for the
next morning in draft; the organiser opens the lobby and starts them from the console (the start moves
the schedule to "now"). The 人工智能训练师 round is already in the lobby, its contestants checked in
(检录) and seated by a recorded draw, so the judges' console shows seat numbers (blind judging).
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.demo import ORGANISER, Report, user_ensure
from courses.models import Question, QuestionKind, QuizQuestion

from . import services
from .models import (
    Contest,
    ContestLevel,
    Criterion,
    Entry,
    Registration,
    Round,
    RoundQuestion,
    RoundStage,
    RoundStatus,
    Task,
    Track,
    TrackPractice,
)
from .services import practice as practice_services

CONTEST = ("2026-national", "2026年全国工业和信息化技术技能大赛")
JUDGE_PASSWORD = "Judge-2026"  # noqa: S105 - published demo credentials
JUDGES = [("judge1", "周建华"), ("judge2", "吴海燕"), ("judge3", "郑国栋")]

# slug, name, question-bank categories, practical task, criteria (title, kind, max, aggregation)
TRACKS = [
    (
        "iiot-security",
        "工业互联网安全",
        ["cybersecurity", "iiot"],
        "工控系统安全加固与应急响应",
        [
            ("漏洞识别与修复", "judgement", 40, "trimmed_mean"),
            ("安全策略配置规范性", "judgement", 30, "mean"),
            ("应急响应用时达标", "measurement", 30, "mean"),
        ],
    ),
    (
        "ic",
        "集成电路开发及应用",
        ["ic"],
        "基于MCU的智能传感节点开发",
        [
            ("电路焊接与调试", "judgement", 50, "mean"),
            ("功能测试通过项", "measurement", 50, "mean"),
        ],
    ),
    (
        "ai-trainer",
        "人工智能训练师",
        ["ai"],
        "工业质检图像数据标注与模型训练",
        [
            ("标注质量", "judgement", 40, "mean"),
            ("模型准确率", "measurement", 60, "mean"),
        ],
    ),
]
# Which demo learners take part in which track, and whether the organiser already approved them.
CONTESTANTS = {
    "iiot-security": [("learner1", True), ("learner3", True), ("learner4", True), ("learner5", True)],
    "ic": [("learner2", True), ("learner6", False)],
    "ai-trainer": [("learner4", True), ("learner6", True)],
}
QUESTIONS_PER_PAPER = 10
# Tracks whose demo round waits in the lobby with its contestants checked in and seated by lot.
SEATED_TRACKS = ("ai-trainer",)


def _paper_questions(categories: list[str], taken: set[tuple[str, str]]) -> list[Question]:
    """Gradable questions from the quizzes of the demo courses in these categories (any bank as a fallback),
    each at most once: the demo courses copy the same question into several quizzes (a row per course),
    so a question counts as its kind and stem. The fallback prefers questions no other paper (`taken`) has."""
    gradable = [k for k in QuestionKind.values if k != QuestionKind.SHORT]
    in_quizzes = QuizQuestion.objects.filter(quiz__course__category__slug__in=categories).values("question_id")
    picked: dict[tuple[str, str], Question] = {}

    def take(questions, *, avoid=frozenset()) -> None:
        for question in questions:
            key = (question.kind, question.stem.strip())
            if len(picked) == QUESTIONS_PER_PAPER:
                return
            if key not in picked and key not in avoid:
                picked[key] = question

    take(Question.objects.filter(kind__in=gradable, pk__in=in_quizzes).order_by("pk"))
    if len(picked) < QUESTIONS_PER_PAPER:
        bank = list(Question.objects.filter(kind__in=gradable).order_by("pk"))
        take(bank, avoid=taken)
        take(bank)
    return list(picked.values())


def _round_ensure(track: Track, spec, report: Report) -> Round:
    _slug, name, categories, task_title, criteria = spec
    rnd = Round.objects.filter(track=track, stage=RoundStage.PRELIMINARY).first()
    if rnd is not None:
        return rnd
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    starts = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(9, 0)))
    rnd = Round.objects.create(
        track=track,
        stage=RoundStage.PRELIMINARY,
        title=f"{name} 预赛",
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        freeze_minutes=15,
        shuffle_questions=True,
        shuffle_options=True,
    )
    others = RoundQuestion.objects.filter(round__track__contest=track.contest).select_related("question")
    taken = {(rq.question.kind, rq.question.stem.strip()) for rq in others}
    for order, question in enumerate(_paper_questions(categories, taken), start=1):
        RoundQuestion.objects.create(round=rnd, question=question, order=order, score=Decimal(10))
    task = Task.objects.create(round=rnd, title=task_title, max_score=Decimal(100))
    for order, (title, kind, max_score, aggregation) in enumerate(criteria, start=1):
        Criterion.objects.create(
            task=task,
            title=title,
            kind=kind,
            max_score=Decimal(max_score),
            aggregation=aggregation,
            spread_threshold=Decimal(10) if kind == "judgement" else None,
            order=order,
        )
    report.add("比赛场次")
    return rnd


def demo_seats(rnd: Round, organiser, report: Report) -> None:
    """Check in every entry of an open round and seat them by a recorded draw (commit, then run).

    For demo rounds that are open (lobby, running, paused): call it while the round is open, before
    it ends. A round whose entries all have seats is left alone, so a second run adds nothing."""
    if rnd.status == RoundStatus.DRAFT:
        rnd = services.round_open_lobby(round=rnd, by=organiser)
    if rnd.status not in (RoundStatus.LOBBY, RoundStatus.RUNNING, RoundStatus.PAUSED):
        return
    waiting = list(Entry.objects.filter(round=rnd, seat_number__isnull=True).values_list("pk", flat=True))
    if not waiting:
        return
    services.entries_check_in(round=rnd, entry_ids=waiting, by=organiser)
    services.seat_draw_commit(round=rnd, by=organiser)
    services.seat_draw_run(round=rnd, by=organiser)
    report.add("座位抽签")


def _practice_ensure(track: Track, organiser, report: Report) -> None:
    """The track's practice bank (模拟练习): the bank its paper comes from, ten questions a paper
    (questions on a contest paper are never drawn)."""
    line = RoundQuestion.objects.filter(round__track=track).select_related("question").first()
    if line is None or TrackPractice.objects.filter(track=track).exists():
        return
    practice_services.practice_settings_save(
        track=track, by=organiser, provider=line.question.provider, category="", questions_per_paper=10, enabled=True
    )
    report.add("模拟练习题库")


@transaction.atomic
def contest_ensure(slug: str, defaults: dict, report: Report, label: str = "大赛") -> Contest:
    """The demo contest `slug`, created with `defaults` the first time (counted as `label`)."""
    contest, created = Contest.objects.get_or_create(slug=slug, defaults=defaults)
    if created:
        report.add(label)
    return contest


def track_ensure(
    contest: Contest, slug: str, defaults: dict, report: Report, label: str = "赛项"
) -> tuple[Track, bool]:
    """The demo track `slug` of `contest`, and whether it was created now (counted as `label`)."""
    track, created = Track.objects.get_or_create(contest=contest, slug=slug, defaults=defaults)
    if created:
        report.add(label)
    return track, created


def contest_demo_seed(report: Report) -> Contest:
    """The national contest with its tracks, rounds, judges and registrations (idempotent)."""
    User = get_user_model()
    organiser = User.objects.get(username=ORGANISER[0])
    slug, name = CONTEST
    contest = contest_ensure(
        slug,
        {
            "name": name,
            "level": ContestLevel.NATIONAL,
            "year": 2026,
            "organiser": organiser,
            "description": "由工业和信息化部人才交流中心等单位主办，设工业互联网安全、集成电路开发及应用、"
            "人工智能训练师等赛项，每个赛项含理论考试和实操比赛。",
        },
        report,
    )
    judges = [user_ensure(u, JUDGE_PASSWORD, report, real_name=n, organisation="大赛裁判委员会") for u, n in JUDGES]
    for order, spec in enumerate(TRACKS):
        track_slug, track_name = spec[0], spec[1]
        track, _created = track_ensure(
            contest,
            track_slug,
            {"name": track_name, "sort_order": order, "theory_weight": 30, "practical_weight": 70},
            report,
        )
        for judge in judges:
            services.judge_assign(track=track, judge=judge, by=organiser)
        _round_ensure(track, spec, report)
        _practice_ensure(track, organiser, report)
        for username, approved in CONTESTANTS[track_slug]:
            learner = User.objects.filter(username=username).first()
            if learner is None or Registration.objects.filter(track=track, user=learner).exists():
                continue
            registration = services.registration_submit(
                user=learner,
                track=track,
                organisation=learner.organisation or "未填写单位",
                province=(learner.id_number or "11")[:2],
            )
            report.add("参赛报名")
            if approved:
                services.registration_approve(registration=registration, by=organiser)
        if track_slug in SEATED_TRACKS:
            demo_seats(Round.objects.get(track=track, stage=RoundStage.PRELIMINARY), organiser, report)
    report.credentials.append(("评委", f"{JUDGES[0][0]} … {JUDGES[-1][0]}", JUDGE_PASSWORD))
    return contest
