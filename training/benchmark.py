"""An enterprise for `manage.py bench_enterprise`: workers on the roster, classes with assigned courses,
and realistic learning (some courses completed with credited 学时, a passed final quiz and a
certificate; some half way; some not started; classes past their deadline), written in bulk.

Only for scratch databases: rows are inserted with multi-row `executemany` statements, without the
services (which would take hours for two million rows). Deterministic for a given seed.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.idcard import check_digit
from certificates.models import Certificate
from courses.models import (
    AttemptStatus,
    Chapter,
    Course,
    CreditedHours,
    Enrolment,
    Lesson,
    LessonProgress,
    Provider,
    Quiz,
    QuizAttempt,
    StudyDay,
)
from organisations import creditcode
from organisations.models import MembershipRole, Organisation, OrganisationKind, OrganisationMembership

from .models import ClassCourse, ClassMember, RosterEntry, TrainingClass

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉健俊文斌宇浩凯"
DEPARTMENTS = ["生产一车间", "生产二车间", "设备部", "质检部", "安全环保部", "技术中心", "物流部", "信息部"]
JOBS = ["电工", "焊工", "钳工", "数控车工", "仪表工", "安全员", "质检员", "工业机器人操作员", "网络运维员", "叉车工"]
TOPICS = ["工业互联网平台应用", "安全生产", "智能制造基础", "数控编程", "工控网络安全", "质量管理", "PLC 编程"]
LESSONS = 6  # required lessons per course
PASSWORD = "bench-pass-1234"  # noqa: S105 - scratch benchmark accounts


def _prepare(field):
    if isinstance(field, models.DateTimeField | models.DateField | models.DecimalField | models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert(model, rows: list[dict], batch: int = 2000) -> int:
    """INSERT the rows (dicts of field name → value; other fields get their default) in batches."""
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.name in (rows[0] if rows else {})]
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.name] = now
        else:
            defaults[f.name] = f.get_default()  # "" for a text field without a default, else None
    preps = [_prepare(f) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - model names
    names = [f.name for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            params = []
            for row in rows[start : start + batch]:
                values = []
                for name, prep in zip(names, preps, strict=True):
                    value = row.get(name, defaults[name])
                    values.append(prep(value) if prep and value is not None else value)
                params.append(values)
            cursor.executemany(sql, params)
    return len(rows)


def _id_number(n: int) -> str:
    """A valid, distinct 身份证号 per n: the birth date moves on every 999 people."""
    born = dt.date(1970, 1, 1) + dt.timedelta(days=n // 999 * 131 % 15000)
    first17 = f"320506{born:%Y%m%d}{n % 999 + 1:03d}"
    return first17 + check_digit(first17)


def courses_ensure(count: int = 20) -> list[Course]:
    """A provider with `count` courses of LESSONS required lessons and a final quiz each (once)."""
    provider, _created = Provider.objects.get_or_create(slug="bench-provider", defaults={"name": "基准测试培训中心"})
    existing = list(Course.objects.filter(provider=provider).order_by("pk"))
    for n in range(len(existing), count):
        course = Course.objects.create(
            provider=provider,
            code=f"BENCH-{n + 1:03d}",
            title=f"{TOPICS[n % len(TOPICS)]}（第{n // len(TOPICS) + 1}期）",
            hours=Decimal(8 + n % 5 * 4),
        )
        chapter = Chapter.objects.create(course=course, title="第一章", sort_order=1)
        Lesson.objects.bulk_create(
            Lesson(course=course, chapter=chapter, title=f"课时{i + 1}", sort_order=i + 1) for i in range(LESSONS)
        )
        course.final_quiz = Quiz.objects.create(course=course, title="结业测验")
        course.save(update_fields=["final_quiz"])
        existing.append(course)
    return existing


@transaction.atomic
def enterprise_generate(
    *, key: str, workers: int, classes: int, courses_per_class: int = 10, seed: int = 12, today: dt.date | None = None
) -> dict:
    """An employer named after `key` with a training manager (`<key>-manager`), `workers` workers in
    `classes` classes of `courses_per_class` courses each (taken in turn from a pool of twice as many)."""
    rng = random.Random(f"{seed}-{key}")  # noqa: S311 - deterministic benchmark data
    today = today or timezone.localdate()
    pool = courses_ensure(max(20, courses_per_class * 2))
    lessons = {
        c: list(ids)
        for c, ids in _group(
            Lesson.objects.filter(course__in=pool).order_by("sort_order").values_list("course_id", "pk")
        )
    }
    n = Organisation.objects.count()
    organisation = Organisation.objects.create(
        kind=OrganisationKind.EMPLOYER,
        name=f"基准测试制造有限公司{key}",
        credit_code=creditcode.complete(f"913205{n:04d}MA1P8Q3"),
    )
    User = get_user_model()
    password = make_password(PASSWORD)
    manager = User.objects.create(username=f"{key}-manager", real_name="培训管理员", password=password)
    OrganisationMembership.objects.create(organisation=organisation, user=manager, role=MembershipRole.TRAINING_MANAGER)

    names = [rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))) for _ in range(workers)]
    User.objects.bulk_create(
        [User(username=f"{key}-w{i:05d}", real_name=names[i], password=password) for i in range(workers)],
        batch_size=2000,
    )
    users = dict(User.objects.filter(username__startswith=f"{key}-w").values_list("username", "pk"))
    user_ids = [users[f"{key}-w{i:05d}"] for i in range(workers)]
    insert(
        RosterEntry,
        [
            {
                "organisation": organisation.pk,
                "user": user_ids[i],
                "name": names[i],
                "id_number": _id_number(i),
                "department": DEPARTMENTS[rng.randrange(len(DEPARTMENTS))],
                "job": JOBS[rng.randrange(len(JOBS))],
                "status": "active",
            }
            for i in range(workers)
        ],
    )
    entry_ids = dict(RosterEntry.objects.filter(organisation=organisation).values_list("user_id", "pk"))

    # Classes: every third one's deadline has passed; the others end within the next months.
    class_rows = []
    for k in range(classes):
        starts = today - dt.timedelta(days=120 - k % 60)
        deadline = today - dt.timedelta(days=1 + k % 20) if k % 3 == 0 else today + dt.timedelta(days=10 + k % 90)
        class_rows.append(
            {
                "organisation": organisation.pk,
                "name": f"{key}-{k + 1:03d}期 {JOBS[k % len(JOBS)]}培训班",
                "starts_on": starts,
                "deadline": deadline,
                "status": "open",
                "created_by": manager.pk,
            }
        )
    insert(TrainingClass, class_rows)
    class_list = list(TrainingClass.objects.filter(organisation=organisation).order_by("pk"))
    assigned = {}
    class_courses = []
    for k, training_class in enumerate(class_list):
        chosen = [pool[(k + j) % len(pool)] for j in range(courses_per_class)]
        assigned[training_class.pk] = chosen
        class_courses += [
            {"training_class": training_class.pk, "course": c.pk, "position": j} for j, c in enumerate(chosen)
        ]
    insert(ClassCourse, class_courses)

    members, enrolments = [], []
    member_of = {}
    for i, user_id in enumerate(user_ids):
        training_class = class_list[i % classes]
        member_of[user_id] = training_class
        members.append({"training_class": training_class.pk, "entry": entry_ids[user_id], "added_by": manager.pk})
    insert(ClassMember, members)

    # Learning: per worker and course, completed (35 %), half way (35 %) or not started (30 %).
    plans = []
    for user_id in user_ids:
        training_class = member_of[user_id]
        for course in assigned[training_class.pk]:
            roll = rng.random()
            done = LESSONS if roll < 0.35 else rng.randrange(1, LESSONS) if roll < 0.7 else 0
            plans.append((user_id, course, done, training_class.starts_on))
            enrolments.append({"learner": user_id, "course": course.pk, "enrolled_at": _at(training_class.starts_on)})
    insert(Enrolment, enrolments)
    enrolment_ids = {
        (learner, course): pk
        for pk, learner, course in Enrolment.objects.filter(learner_id__in=user_ids).values_list(
            "pk", "learner_id", "course_id"
        )
    }
    progress, days, credits, attempts, certificates = [], [], [], [], []
    numbers = Certificate.objects.count()
    for user_id, course, done, starts in plans:
        enrolment = enrolment_ids[user_id, course.pk]
        course_lessons = lessons[course.pk]
        day = starts + dt.timedelta(days=rng.randrange(0, 20))
        seconds_total = 0
        for lesson in course_lessons[:done]:
            seconds = rng.randrange(600, 2400)
            seconds_total += seconds
            progress.append({"enrolment": enrolment, "lesson": lesson, "completed_at": _at(day)})
            days.append({"learner": user_id, "course": course.pk, "lesson": lesson, "day": day, "seconds": seconds})
            day = min(today, day + dt.timedelta(days=rng.randrange(0, 4)))
        if 0 < done < LESSONS:  # started the next lesson too
            days.append(
                {
                    "learner": user_id,
                    "course": course.pk,
                    "lesson": course_lessons[done],
                    "day": day,
                    "seconds": rng.randrange(60, 600),
                }
            )
        if done == LESSONS:
            finished = _at(day)
            percent = Decimal(rng.randrange(60, 101))
            if rng.random() < 0.3:
                attempts.append(_attempt(user_id, course, enrolment, Decimal(rng.randrange(20, 60)), False, finished))
            attempts.append(_attempt(user_id, course, enrolment, percent, True, finished))
            credits.append(
                {
                    "enrolment": enrolment,
                    "learner": user_id,
                    "course": course.pk,
                    "hours": course.hours,
                    "effective_seconds": seconds_total,
                    "credited_at": finished,
                }
            )
            numbers += 1
            certificates.append(
                {
                    "kind": "completion",
                    "number": f"BENCH-{finished:%Y}-{numbers:07d}",
                    "code": f"bench{numbers:016d}",
                    "holder": user_id,
                    "course": course.pk,
                    "enrolment": enrolment,
                    "issued_at": finished,
                    "snapshot": {},
                    "credential": {},
                }
            )
    insert(LessonProgress, progress)
    insert(StudyDay, days)
    insert(QuizAttempt, attempts)
    insert(CreditedHours, credits)
    insert(Certificate, certificates)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Enrolment._meta.db_table} SET completed_at = %s WHERE id = %s",  # noqa: S608 - the model's table
            [(connection.ops.adapt_datetimefield_value(c["credited_at"]), c["enrolment"]) for c in credits],
        )
    return {
        "organisation": organisation,
        "manager": manager,
        "classes": class_list,
        "entries": entry_ids,
        "rows": {
            "enrolments": len(enrolments),
            "lesson_progress": len(progress),
            "study_days": len(days),
            "attempts": len(attempts),
            "credited": len(credits),
            "certificates": len(certificates),
        },
    }


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _attempt(user_id, course, enrolment, percent, passed, when) -> dict:
    return {
        "learner": user_id,
        "quiz": course.final_quiz_id,
        "enrolment": enrolment,
        "question_ids": [],
        "option_order": {},
        "answers": {},
        "results": {},
        "score": percent,
        "max_score": Decimal(100),
        "percent": percent,
        "passed": passed,
        "status": AttemptStatus.DONE,
        "started_at": when,
        "submitted_at": when,
        "graded_at": when,
    }


def _group(pairs):
    out = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out.items()
