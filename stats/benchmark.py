"""The scratch data of `manage.py bench_stats` and the naive answers it is compared with.

`stats_generate` bulk-inserts learners with employers across the registry's cities and industries,
providers and courses of every skill level, enrolments (four per learner, 40 % completed and credited,
with a study day each), skill-level and completion certificates, and contest registrations, spread over
the 24 months up to now. `naive_*` answer a dashboard page's figures with plain GROUP BY queries over
the raw tables, the way a page would without the rollup cells.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from certificates.models import Certificate
from contests.models import Contest, Registration, Track
from courses.models import Category, Chapter, Course, CreditedHours, Enrolment, Lesson, Provider, StudyDay
from organisations.models import Employment, Industry, Organisation, Region
from training.benchmark import insert

MONTHS = 24


def _moment(rng: random.Random, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=rng.random() * MONTHS * 30.4, seconds=rng.randrange(86400))


def _organisations(key: str, count: int, rng: random.Random) -> list[int]:
    cities = list(Region.objects.filter(level="city").values_list("code", flat=True))
    divisions = list(Industry.objects.filter(level="division").values_list("code", "section_id"))
    rows = []
    for n in range(count):
        city = cities[min(int(rng.paretovariate(1.2)) - 1, len(cities) - 1) if n % 3 else rng.randrange(len(cities))]
        division, section = divisions[rng.randrange(len(divisions))]
        name = f"基准{key}企业{n:05d}有限公司"
        rows.append(
            {
                "kind": "employer",
                "name": name,
                "name_key": name,
                "match_key": name,
                "province": city[:2],
                "city": city,
                "industry": division,
                "industry_section": section,
                "status": "active",
            }
        )
    insert(Organisation, rows)
    return list(Organisation.objects.filter(name__startswith=f"基准{key}企业").values_list("pk", flat=True))


def _courses(key: str, providers: int, per_provider: int) -> list[tuple[int, int]]:
    category, _created = Category.objects.get_or_create(slug="bench-stats", defaults={"name": "统计基准"})
    insert(Provider, [{"name": f"基准{key}机构{p:03d}", "slug": f"bench-{key}-{p}"} for p in range(providers)])
    provider_ids = Provider.objects.filter(slug__startswith=f"bench-{key}-").values_list("pk", flat=True)
    rows = [
        {
            "provider": pid,
            "code": f"S{key}{c:03d}",
            "title": f"统计基准课程{c}",
            "category": category.pk,
            "level": c % 6,
            "hours": Decimal(8),
        }
        for pid in provider_ids
        for c in range(per_provider)
    ]
    insert(Course, rows)
    courses = list(Course.objects.filter(code__startswith=f"S{key}").values_list("pk", "provider_id"))
    insert(Chapter, [{"course": pk, "title": "第一章", "sort_order": 1} for pk, _p in courses])
    chapters = dict(Chapter.objects.filter(course_id__in=[pk for pk, _p in courses]).values_list("course_id", "pk"))
    insert(Lesson, [{"course": pk, "chapter": chapters[pk], "title": "课时1", "sort_order": 1} for pk, _p in courses])
    return courses


@transaction.atomic
def contest_tracks(key: str, year: int) -> tuple:
    """Five contests of four tracks each, for the registrations of either builder: their organiser
    and their track ids."""
    organiser = get_user_model().objects.create(username=f"s{key}-organiser", password="!")  # noqa: S106 - unusable
    tracks = []
    for c in range(5):
        contest = Contest.objects.create(
            name=f"基准{key}大赛{c}", slug=f"bench-{key}-{c}", year=year, organiser=organiser
        )
        tracks += [Track.objects.create(contest=contest, name=f"赛项{t}", slug=f"t{t}").pk for t in range(4)]
    return organiser, tracks


def stats_generate(*, key: str, enrolments: int, seed: int = 15) -> dict:
    """Scratch records of realistic shape with `enrolments` enrolments; returns counts and ids."""
    rng, now = random.Random(seed), timezone.now()  # noqa: S311 - scratch data, not secrets
    user_model = get_user_model()
    learners = max(10, enrolments // 4)
    organisations = _organisations(key, max(20, learners // 25), rng)
    courses = _courses(key, providers=max(4, min(200, enrolments // 5000)), per_provider=10)
    insert(
        user_model,
        [{"username": f"s{key}{n}", "password": "!", "date_joined": _moment(rng, now)} for n in range(learners)],
    )
    users = list(user_model.objects.filter(username__startswith=f"s{key}").values_list("pk", flat=True))
    insert(Employment, [{"user": u, "organisation": rng.choice(organisations)} for u in users if rng.random() < 0.85])
    rows, seen = [], set()
    while len(rows) < enrolments:
        learner, (course, _provider) = rng.choice(users), rng.choice(courses)
        if (learner, course) in seen:
            continue
        seen.add((learner, course))
        enrolled = _moment(rng, now)
        done = enrolled + dt.timedelta(days=rng.randrange(1, 40)) if rng.random() < 0.4 else None
        rows.append({"learner": learner, "course": course, "enrolled_at": enrolled, "completed_at": done})
    insert(Enrolment, rows)
    done = list(
        Enrolment.objects.filter(learner_id__in=users, completed_at__isnull=False).values_list(
            "pk", "learner_id", "course_id", "completed_at"
        )
    )
    insert(
        CreditedHours,
        [{"enrolment": e, "learner": u, "course": c, "hours": Decimal(8), "credited_at": t} for e, u, c, t in done],
    )
    lessons = dict(Lesson.objects.filter(course_id__in=[c for c, _p in courses]).values_list("course_id", "pk"))
    insert(
        StudyDay,
        [
            {"learner": u, "course": c, "lesson": lessons[c], "day": timezone.localdate(t), "seconds": 1800}
            for _e, u, c, t in done
        ],
    )
    certificates = [
        {
            "kind": "skill_level",
            "number": f"SB{key}{n:07d}",
            "code": f"sb{key}{n:07d}",
            "holder": rng.choice(users),
            "snapshot": {"level": {"value": rng.randrange(1, 6)}},
            "status": "valid",
            "issued_at": _moment(rng, now),
        }
        for n in range(enrolments // 20)
    ]
    certificates += [  # completion certificates of completed enrolments
        {
            "kind": "completion",
            "number": f"SC{key}{n:07d}",
            "code": f"sc{key}{n:07d}",
            "holder": u,
            "course": c,
            "enrolment": e,
            "snapshot": {},
            "status": "valid",
            "issued_at": t,
        }
        for n, (e, u, c, t) in enumerate(done[: enrolments // 20])
    ]
    insert(Certificate, certificates)
    organiser, tracks = contest_tracks(key, now.year)
    entrants = rng.sample(users, min(len(users), enrolments // 40))
    registrations = [
        {
            "track": tracks[n % len(tracks)],
            "user": u,
            "organisation": "基准单位",
            "organisation_record": rng.choice(organisations) if n % 3 else None,
            "province": rng.choice(["11", "32", "33", "44", "51"]),
            "status": "approved",
            "source": "self",
            "submitted_at": _moment(rng, now),
            "decided_at": now,
        }
        for n, u in enumerate(entrants)
    ]
    insert(Registration, registrations)
    busiest = Enrolment.objects.filter(learner_id__in=users).values("course__provider_id").annotate(n=Count("id"))
    return {
        "enrolments": len(rows),
        "learners": len(users),
        "certificates": len(certificates),
        "registrations": len(registrations),
        "provider": busiest.order_by("-n").first()["course__provider_id"],
        "organiser": organiser,
    }


# ------------------------------------------------------------------ the naive answers


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    nxt = (end + dt.timedelta(days=32)).replace(day=1)
    return timezone.make_aware(dt.datetime(start.year, start.month, 1)), timezone.make_aware(
        dt.datetime(nxt.year, nxt.month, 1)
    )


def naive_overview(start: dt.date, end: dt.date, *, province="", industry="", level=0, provider=0) -> dict:
    """Every figure's total straight from the raw tables (the overview table of the page)."""
    lo, hi = _period(start, end)
    who = {}
    if province:
        who["employment__organisation__province_id"] = province
    if industry:
        who["employment__organisation__industry_section_id"] = industry
    learner = {f"learner__{k}": v for k, v in who.items()}
    holder = {f"holder__{k}": v for k, v in who.items()}
    course = {}
    if level:
        course["course__level"] = level
    if provider:
        course["course__provider_id"] = provider
    out = {}
    if not (level or provider):
        out["registered"] = get_user_model().objects.filter(date_joined__gte=lo, date_joined__lt=hi, **who).count()
    enrolled = Enrolment.objects.filter(**learner, **course)
    out["enrolments"] = enrolled.filter(enrolled_at__gte=lo, enrolled_at__lt=hi).count()
    out["completions"] = enrolled.filter(completed_at__gte=lo, completed_at__lt=hi).count()
    out["study"] = StudyDay.objects.filter(day__gte=lo.date(), day__lt=hi.date(), **learner, **course).aggregate(
        s=Sum("seconds")
    )["s"]
    out["credited"] = CreditedHours.objects.filter(
        credited_at__gte=lo, credited_at__lt=hi, **learner, **course
    ).aggregate(s=Sum("hours"))["s"]
    certs = Certificate.objects.filter(issued_at__gte=lo, issued_at__lt=hi, status="valid", **holder)
    if level:
        certs = certs.filter(Q(snapshot__level__value=level) | Q(course__level=level))
    if provider:
        certs = certs.filter(course__provider_id=provider)
    out["certificates"] = certs.count()
    if not (level or provider):
        regs = Registration.objects.filter(submitted_at__gte=lo, submitted_at__lt=hi).exclude(status="withdrawn")
        if province:
            regs = regs.filter(
                Q(organisation_record__province_id=province) | Q(organisation_record__isnull=True, province=province)
            )
        if industry:
            regs = regs.filter(organisation_record__industry_section_id=industry)
        out["registrations"] = regs.count()
    return out


def naive_table(page: str, start: dt.date, end: dt.date, *, province="", industry="", level=0, provider=0) -> list:
    """The page's table straight from the raw tables: every column it shows (the row's label, which
    the page reads too, and the count; these figures have no hours column) and the total (the
    overview's figure of the same metric, from `naive_overview`)."""
    lo, hi = _period(start, end)
    if page == "industry_level":
        certs = Certificate.objects.filter(
            issued_at__gte=lo,
            issued_at__lt=hi,
            status="valid",
            holder__employment__organisation__industry_section_id=industry,
        ).filter(Q(snapshot__level__value=level) | Q(course__level=level))
        return list(certs.values("holder__employment__organisation__province_id").annotate(n=Count("id")))
    enrolled = Enrolment.objects.filter(enrolled_at__gte=lo, enrolled_at__lt=hi)
    if page == "region":
        enrolled = enrolled.filter(learner__employment__organisation__province_id=province)
        city = "learner__employment__organisation__city"
        return list(enrolled.values(f"{city}_id", f"{city}__name").annotate(n=Count("id")))
    if page == "drilldown":
        by_course = enrolled.filter(course__provider_id=provider).values("course_id", "course__code", "course__title")
        return list(by_course.annotate(n=Count("id")))
    return list(enrolled.values("enrolled_at__year", "enrolled_at__month").annotate(n=Count("id")))
