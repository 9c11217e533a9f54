"""Every endpoint that accepts a POST, and every WebSocket route, refuses whoever may not use it.

The test walks the project's URL patterns instead of listing views, so a view added later without
a permission check fails here: each URL of our apps must be declared in `WHO_MAY_POST` (or
`WHO_MAY_CONNECT`), and every role that is not declared gets 302/403/404/405 and changes nothing in
the database.
"""

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from asgiref.sync import async_to_sync

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from wagtail.models import Site

from certificates.models import CertificateKind, IssueJob, IssuePreview
from certificates.services import certificate_issue_completion
from cms.models import SiteSettings
from config.asgi import websocket_urlpatterns
from contests import services as contest_services
from contests.models import AuditLog, PracticeAttempt, RegistrationImport, TrackKind
from courses import ratings as course_ratings
from courses import services as course_services
from courses.models import CourseChange, Enrolment, FeaturedCourse, ImportJob, Lesson, LessonVideo
from notifications.models import Notification
from notifications.services import notify
from organisations import services as organisation_services
from tests.conftest import build_course
from tests.contests.enterprise_world import enterprise_contest
from tests.contests.factories import (
    ApprovedRegistrationFactory,
    CriterionFactory,
    RoundFactory,
    RoundQuestionFactory,
    TaskFactory,
    TrackFactory,
)
from tests.contests.live import Socket, _wagtail_roots_after_module, session_cookie, wagtail_roots  # noqa: F401 - fixtures
from tests.contests.progression_world import nomination_world
from tests.experts.world import expert_world
from tests.factories import QuestionFactory, UserFactory
from tests.permission_rules import (
    ANYONE,
    ENTERPRISE_CONTEST_PAGES,
    ENTERPRISE_GET_OK,
    ENTERPRISE_ROLES,
    FILLER,
    OUR_APPS,
    REFUSED,
    RIGHTFUL_FIRST,
    WHO_MAY_CONNECT,
    WHO_MAY_POST,
)
from tests.training.permission_world import training_world as applications_world
from tests.training.world import TRAINING_MUST_TAKE_EFFECT, training_world


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) or None
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), ":".join(filter(None, [namespace, p.name])), p


def _ours(name: str, pattern: URLPattern) -> bool:
    callback = pattern.callback
    module = getattr(getattr(callback, "view_class", None), "__module__", None) or callback.__module__
    return module.split(".")[0] in OUR_APPS or name.split(":")[0] in OUR_APPS or name == "set_language"


def our_urls() -> list[tuple[str, str, URLPattern]]:
    return [(route, name, p) for route, name, p in _walk(get_resolver().url_patterns) if _ours(name, p)]


def test_every_url_of_our_apps_says_who_may_post():
    undeclared = sorted(name or route for route, name, _p in our_urls() if name not in WHO_MAY_POST)
    assert undeclared == [], "declare who may POST to these URLs in WHO_MAY_POST"


def test_no_declaration_is_stale():
    names = {name for _route, name, _p in our_urls()}
    assert sorted(set(WHO_MAY_POST) - names) == []


def test_every_websocket_route_says_who_may_connect():
    assert sorted(str(p.pattern) for p in websocket_urlpatterns) == sorted(WHO_MAY_CONNECT)


# ------------------------------------------------------------------ the world


@pytest.fixture
def world(
    site, provider_a, provider_b, staff_a, staff_b, organiser, learner, other_learner, employer_a, manager_a, manager_b
):
    SiteSettings.for_site(Site.objects.get(is_default_site=True))  # made on the first page view otherwise
    course = build_course(provider_a)
    owner = learner
    course_services.enrolment_create(learner=owner, course=course)
    lessons = list(Lesson.objects.filter(course=course).order_by("sort_order"))
    attempt = course_services.quiz_attempt_start(learner=owner, quiz=course.final_quiz)
    enrolment = Enrolment.objects.get(learner=owner, course=course)
    enrolment.completed_at = timezone.now()
    enrolment.save()
    owner.id_number = "11010519491231002X"
    owner.save()
    certificate = certificate_issue_completion(enrolment=enrolment)

    judge = UserFactory(username="judge1", real_name="评委甲")
    rnd = RoundFactory(track__contest__organiser=organiser, track__theory_weight=Decimal(30))
    question = course.final_quiz.quiz_questions.first().question
    paper_line = RoundQuestionFactory(round=rnd, question=question, order=0, score=10)
    task = TaskFactory(round=rnd, title="工控系统加固", max_score=100)
    CriterionFactory(task=task, title="漏洞修复", kind="judgement", max_score=100)
    contest_services.judge_assign(track=rnd.track, judge=judge, by=organiser)
    ApprovedRegistrationFactory(track=rnd.track, user=owner, organisation="甲公司", province="32")
    team_track = TrackFactory(contest=rnd.track.contest, kind=TrackKind.TEAM, team_size_max=3)
    team = contest_services.registration_submit(
        user=owner, track=team_track, organisation="甲公司", province="32", team_name="甲队", invitees=["learner2"]
    )
    contest_services.round_open_lobby(round=rnd, by=organiser)
    contest_services.round_start(round=rnd, by=organiser, now=rnd.starts_at + dt.timedelta(seconds=1))

    # Failed, so that a retry would change them (nobody but the right people may).
    import_job = ImportJob.objects.create(
        provider=provider_a, user=staff_a, kind="questions", format="csv", original_name="题库.csv", status="failed"
    )
    issue_job = IssueJob.objects.create(
        kind=CertificateKind.SKILL_LEVEL, title="批量颁发", created_by=organiser, status="failed"
    )
    preview_row = {"line": 2, "user_id": other_learner.pk, "name": other_learner.real_name, "level": 3}
    preview_row |= {"occupation": "电工", "source": "ref:1", "problem": "", "issued": False, "key": "learner2"}
    issue_preview = IssuePreview.objects.create(
        title="名单.csv", by="username", rows=[preview_row], created_by=organiser
    )
    rating = course_ratings.rating_save(learner=owner, course=course, score=4, comment="讲解清楚")
    proposal = organisation_services.organisation_propose(user=other_learner, kind="school", name="待审核学院")
    notify(recipients=[owner], kind="certificate_issued", title="权限检查", url="/certificates/")
    notification = Notification.objects.get(recipient=owner, title="权限检查")
    # A bank question no live course asks, so its staff's edit is written at once (one a live course asks
    # waits for review: an unchanged save of it changes nothing, tests/courses/changes).
    bank_question = QuestionFactory(provider=provider_a, external_id="BANK-ONLY")
    change = CourseChange.objects.create(  # 课程修改审核: a chapter's new title waits for review
        provider=provider_a,
        course=course,
        created_by=staff_a,
        status="submitted",
        entries={
            f"chapter:{lessons[0].chapter_id}": {
                "base": {"title": "旧", "sort_order": 1},
                "data": {"title": "新", "sort_order": 1},
            }
        },
    )
    featured = FeaturedCourse.objects.create(  # 精品课程
        course=course,
        title="2026年度精品课程",
        citation="入选理由",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    video = LessonVideo.objects.create(
        title="视频", type="video", collection=provider_a.collection, file=ContentFile(b"\x1aE\xdf\xa3", name="v.webm")
    )
    Lesson.objects.filter(pk=lessons[0].pk).update(video=video)
    objects = {
        "course_id": course.pk,
        "video_id": video.pk,
        "lesson_id": lessons[0].pk,
        "attempt_id": attempt.pk,
        "track_id": rnd.track_id,
        "round_id": rnd.pk,
        "practice_id": PracticeAttempt.objects.create(track=rnd.track, user=owner, started_at=timezone.now()).pk,
        "slug": rnd.track.contest.slug,
        "code": certificate.code,
        "kind": "completion",
        "ext": "xlsx",
        "file_format": "csv",
        "uidb64": "MQ",
        "token": "set-password",
        "result_id": "00000000-0000-0000-0000-000000000000",
    }
    by_namespace = {
        "courses_course": course.pk,
        "courses_chapter": course.chapters.first().pk,
        "courses_lesson": lessons[0].pk,
        "courses_quiz": course.final_quiz.pk,
        "courses_question": bank_question.pk,
        "courses_question_chooser": question.pk,
        "courses_category": course.category_id,
        "courses_provider": provider_a.pk,
        "courses_featured": featured.pk,  # 精品课程
        "courses_import": import_job.pk,
        "certificates:job": issue_job.pk,
        "certificates:job_progress": issue_job.pk,
        "certificates:issue_preview": issue_preview.pk,
        "wagtailusers_users": other_learner.pk,
        "contests:withdraw": team.pk,
        "contests:invitation": team.invitations.get().pk,
        "certificates:job_resume": issue_job.pk,
        "certificates": certificate.pk,
        "organisations_organisation": provider_a.organisation_id,
        "organisations:review_decide": proposal.pk,
        "course_stats": enrolment.pk,
        "notifications:open": notification.pk,
        "course_ratings": rating.pk,
        "course_changes": change.pk,
        "contests_roundquestion": paper_line.pk,  # its round is running: every edit is refused
        # the contests admin, scoped to who runs each contest (contests/admin_scope.py)
        "contests_contest": rnd.track.contest_id,
        "contests_track": rnd.track_id,
        "contests_round": rnd.pk,
        "contests_task": task.pk,
        "contests_criterion": task.criteria.get().pk,
        "contests_auditlog": AuditLog.objects.filter(round=rnd).first().pk,
        "contests:import_preview": RegistrationImport.objects.create(
            track=rnd.track, file_name="list.csv", created_by=organiser, rows=[]
        ).pk,
    }
    people = {
        "learner": other_learner,
        "owner": owner,
        "staff_a": staff_a,
        "staff_b": staff_b,
        "judge": judge,
        "organiser": organiser,
    }
    by_namespace |= expert_world(judge=judge, organiser=organiser, track=rnd.track)  # the expert pool
    by_namespace |= nomination_world(owner=owner, organiser=organiser)  # 选拔推荐
    training = training_world(  # enterprise training (issue 12): tests/training/world.py
        employer_a=employer_a, manager_a=manager_a, manager_b=manager_b, provider_a=provider_a, course=course
    )
    by_namespace |= applications_world(
        employer=employer_a, provider=provider_a, manager=manager_a, organiser=organiser, owner=owner, course=course
    )
    objects |= training["objects"]
    objects["figure"] = "enrolments"  # stats: /stats/api/<figure>.json
    objects["month"] = "2026-03"  # stats: /stats/report/<month>.pdf
    by_namespace |= training["pk"]
    people |= training["people"]
    return {"objects": objects, "pk": by_namespace, "people": people, "course_page": course.page.url}


def _url(route: str, name: str, pattern: URLPattern, world) -> str:
    kwargs = {}
    for key in pattern.pattern.converters:
        if key == "pk":
            namespace = name.split(":")[0]
            kwargs[key] = world["pk"].get(name, world["pk"].get(namespace))
        else:
            kwargs[key] = world["objects"][key]
        assert kwargs[key] is not None, f"no object for <{key}> of {name}"
    path = route
    for key, value in kwargs.items():
        for converter in ("int", "str", "slug", "path"):
            path = path.replace(f"<{converter}:{key}>", str(value))
    return "/" + path.lstrip("^").rstrip("$")


def _snapshot() -> dict:
    """Every row of every model that a POST could change."""
    labels = (*OUR_APPS, "auth", "wagtailcore", "wagtaildocs", "wagtailimages", "django_tasks_db")
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in labels and not model._meta.proxy:
            # last_login changes when the test logs each role in
            fields = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
            state[model._meta.label] = sorted(map(repr, model.objects.values_list(*fields)))
    return state


class _Undo(Exception):
    """Raised to roll a savepoint back."""


class _PostForms(HTMLParser):
    """Every POST form of a page, by the path it posts to: what a person who may use it would send
    (hidden inputs, current values, the first named button)."""

    def __init__(self, path: str):
        super().__init__()
        self.path, self.forms = path, {}
        self.action = self.data = self.button = self.select = self.textarea = None
        self.required = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self.action, self.data, self.button = (a.get("action") or self.path).split("?")[0], {}, None
            return
        name = a.get("name")
        if self.action is None or not name and tag != "option":
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, a.get("value", "on"))
            elif kind in ("submit", "button", "image"):
                self.button = self.button or (name, a.get("value", ""))
            elif kind != "file":
                value = a.get("value", "")
                if not value and "required" in a and kind in ("text", "search"):
                    value = FILLER
                self.data.setdefault(name, value)
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            self.button = self.button or (name, a.get("value", ""))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select:
            if "selected" in a or self.select not in self.data:
                self.data[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = ""
            self.required = "required" in a

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            if self.required and not self.data[self.textarea].strip():
                self.data[self.textarea] = FILLER
            self.textarea = None
        elif tag == "form" and self.action is not None:
            data = {k: v for k, v in self.data.items() if k != "csrfmiddlewaretoken"}
            if self.button:
                data.setdefault(*self.button)
            self.forms.setdefault(self.action, data)
            self.action = None


def _login(client, world, role):
    client.logout()
    if role != "anonymous":
        client.force_login(world["people"][role])


def _forms(client, world, role, url) -> dict[str, dict]:
    """The POST forms `role` finds on the page at `url`, by the path they post to."""
    _login(client, world, role)
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return {}
    parser = _PostForms(url)
    parser.feed(response.content.decode())
    return parser.forms


def _posts(client, world, role, targets, before) -> tuple[list[str], bool]:
    """POST every target as `role` inside a savepoint that is rolled back; (bad answers, changed?)."""
    failures, changed = [], False
    try:
        with transaction.atomic():
            _login(client, world, role)
            for url, name, data in targets:
                response = client.post(url, data)
                if response.status_code not in REFUSED:
                    failures.append(f"{role} POST {url} ({name}) → {response.status_code}")
            changed = _snapshot() != before
            raise _Undo
    except _Undo:
        pass
    return failures, changed


def _effect(client, world, role, url, data, before) -> bool:
    """Does `role`'s POST of `data` change the database? (rolled back)"""
    try:
        with transaction.atomic():
            _login(client, world, role)
            client.post(url, data)
            changed = _snapshot() != before
            raise _Undo
    except _Undo:
        pass
    return changed


# The positive control: these pages, posted by someone who may use them with what their own form
# (or an empty body) holds, change something. Were the payloads wrong, the refusals below would
# prove nothing.
MUST_TAKE_EFFECT = {
    "notifications:open",
    "courses:rate",
    "course_ratings:moderate",
    "certificates:manage_revoke",
    "courses:enrol",
    "courses:lesson_complete",
    "courses:attempt_submit",
    "courses_course:edit",
    "courses_chapter:edit",
    "courses_lesson:edit",
    "courses_quiz:edit",
    "courses_question:edit",
    "courses_category:edit",
    "courses_featured:edit",
    "course_changes:detail",
}


def test_wrong_people_cannot_post_anywhere(client, world):
    """Each page is posted what its rightful user's form holds. Wrong roles post it in one savepoint
    per role with one database snapshot; a role whose posts changed something is replayed URL by URL
    to name the culprit."""
    pages, forms = [], {}  # forms: (role, path) → the payload of a form posting there
    for route, name, pattern in our_urls():
        allowed = WHO_MAY_POST[name]
        if allowed != ANYONE:
            url = _url(route, name, pattern, world)
            rightful = next((r for r in RIGHTFUL_FIRST if r in allowed), None)
            pages.append((url, name, allowed, rightful))
    for role in RIGHTFUL_FIRST:  # the forms each role is shown, wherever they are
        for url in [world["course_page"], *(url for url, _n, allowed, _r in pages if role in allowed)]:
            for action, data in _forms(client, world, role, url).items():
                forms.setdefault((role, action), data)
    pages = [(url, name, allowed, rightful, forms.get((rightful, url), {})) for url, name, allowed, rightful in pages]
    before = _snapshot()  # after the GETs: opening a page may create per-user records
    by_role: dict[str, list[tuple[str, str, dict]]] = {role: [] for role in ANYONE}
    must = MUST_TAKE_EFFECT | TRAINING_MUST_TAKE_EFFECT
    took_effect = set()
    for url, name, allowed, rightful, data in pages:
        # The positive control is asserted for `must` only; a snapshot of every table per other page
        # was most of this test's time.
        if rightful and name in must and _effect(client, world, rightful, url, data, before):
            took_effect.add(name)
        for role in ANYONE - allowed:
            by_role[role].append((url, name, data))
    failures = sorted(f"{name}: its rightful user's POST changed nothing" for name in must - took_effect)
    for role, targets in sorted(by_role.items()):
        bad, changed = _posts(client, world, role, targets, before)
        failures += bad
        if changed:
            for target in targets:
                if _posts(client, world, role, [target], before)[1]:
                    failures.append(f"{role} POST {target[0]} ({target[1]}) changed the database")
    assert failures == [], "\n".join(failures)
    assert sum(map(len, by_role.values())) > 150
    assert _snapshot() == before


# ------------------------------------------------------------------ sockets


async def _opened(path: str, session: str | None) -> bool:
    """True when the socket is accepted and its first frame is not a refusal."""
    socket = Socket(path, session)
    try:
        if not await socket.connect():
            return False
        first = await socket.receive()
        return first.get("type") != "error"
    finally:
        await socket.close()


@pytest.mark.usefixtures("wagtail_roots")
@pytest.mark.django_db(transaction=True)
def test_wrong_people_cannot_open_a_socket(world):
    sessions = {role: session_cookie(user) for role, user in world["people"].items()} | {"anonymous": None}
    failures = []
    for pattern in websocket_urlpatterns:
        route = str(pattern.pattern)
        path = "/" + re.sub(r"<int:(\w+)>", lambda m: str(world["objects"][m.group(1)]), route)
        for role in sorted(ANYONE):
            opened = async_to_sync(_opened)(path, sessions[role])
            if opened != (role in WHO_MAY_CONNECT[route]):
                failures.append(f"{role} {'opened' if opened else 'was refused'} {path}")
    assert failures == []


# ------------------------------------------------------------------ enterprise 技术比武 (issue 14)


def _enterprise_url(route: str, name: str, pattern: URLPattern, a: dict) -> str:
    ids = {
        "track_id": a["track"].pk,
        "round_id": a["round"].pk,
        "contests_contest": a["contest"].pk,
        "contests_track": a["track"].pk,
        "contests_round": a["round"].pk,
        "contests_task": a["task"].pk,
        "contests_criterion": a["task"].criteria.get().pk,
    }
    path = route
    for key in pattern.pattern.converters:
        value = ids[name.split(":")[0]] if key == "pk" else ids[key]
        path = path.replace(f"<int:{key}>", str(value)).replace(f"<str:{key}>", str(value))
    return "/" + path.lstrip("^").rstrip("$")


def test_an_enterprise_contests_pages_admit_only_whoever_runs_it(
    client, site, organiser, learner, staff_a, employer_a, employer_b, manager_a, manager_b
):
    """Employer A's 技术比武, by its own ids: its manager and organisers open every page; manager_b,
    provider staff and learners (one of them A's contestant) are refused on GET and POST, and nothing
    changes."""
    a = enterprise_contest(employer_a, manager_a, slug="bw-matrix")
    people = {"manager_a": manager_a, "manager_b": manager_b, "organiser": organiser, "staff_a": staff_a}
    people |= {"learner": learner, "owner": a["worker"]}
    pages = [
        (_enterprise_url(route, name, p, a), name) for route, name, p in our_urls() if name in ENTERPRISE_CONTEST_PAGES
    ]
    assert sorted(name for _url, name in pages) == sorted(ENTERPRISE_CONTEST_PAGES)
    failures = []
    for url, name in pages:
        if name in ENTERPRISE_GET_OK:
            for role in sorted(ENTERPRISE_CONTEST_PAGES[name]):
                _login(client, {"people": people}, role)
                if client.get(url).status_code != 200:
                    failures.append(f"{role} GET {url} ({name}) refused")
    before = _snapshot()
    for role in ENTERPRISE_ROLES:
        targets = [(url, name, {}) for url, name in pages if role not in ENTERPRISE_CONTEST_PAGES[name]]
        for url, name, _data in targets:
            _login(client, {"people": people}, role)
            if client.get(url).status_code not in REFUSED:
                failures.append(f"{role} GET {url} ({name}) was not refused")
        bad, changed = _posts(client, {"people": people}, role, targets, before)
        failures += bad
        if changed:
            failures.append(f"{role}'s POSTs changed the database")
    assert failures == [], "\n".join(failures)
