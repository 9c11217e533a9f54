"""参赛条件: whether the people of a registration meet their track's entry rules (TrackEligibility).

Checked when a person registers (`registration_submit`) and again whenever an organiser approves,
one registration or thousands (`services.registration_bulk`): the facts of every person concerned
are read in at most three queries (people, skill-level certificates, completion certificates),
whatever the number of registrations. Each failure is a sentence that names the rule, and on a
team the member, so the organiser and the contestant know what to fix.

- Age: full years on `age_on` (or the day of the check) from the birth date in the 身份证号. Only a
  number an organiser verified counts (`User.id_verified_at`): an unverified number is whatever its
  owner typed, so the rule is not met until the identity is complete.
- Skill level: a valid (not revoked, not expired) 职业技能等级证书 of the level or higher
  (1 = 一级/高级技师 is the highest, 5 = 五级/初级工).
- Course: a valid 结业证书 of the course held on the platform.
- Occupation: the 职业（工种） given on the registration is one of the track's.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.idcard import age_on, birth_date
from certificates.models import Certificate, CertificateKind, CertificateStatus
from courses.models import SkillLevel

from .models import Registration, TeamMember, Track, TrackEligibility

_SPLIT = re.compile(r"[、,，;；/\n\r]+")


def occupation_key(text: str) -> str:
    """An occupation as compared: NFKC, no spaces, one case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


def occupations_list(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]


def rules_for(track: Track) -> TrackEligibility | None:
    """The track's rules, or None when it has none (one query, or none when already loaded)."""
    try:
        return track.eligibility
    except TrackEligibility.DoesNotExist:
        return None


def has_rules(rules: TrackEligibility | None) -> bool:
    return rules is not None and any(
        (
            rules.min_age,
            rules.max_age,
            rules.min_skill_level,
            rules.required_course_id,
            occupations_list(rules.occupations),
        )
    )


def reference_day(rules: TrackEligibility, today: dt.date | None = None) -> dt.date:
    return rules.age_on or today or timezone.localdate()


@dataclass(frozen=True)
class Person:
    """What the rules need to know of one person."""

    user_id: int
    name: str
    born: dt.date | None = None  # from a verified 身份证号 only
    best_level: int | None = None  # the highest level held (the smallest number)
    completed: bool = False


def people_facts(rules: TrackEligibility, user_ids) -> dict[int, Person]:
    """{user id: Person} for the rules' needs: one query for the people, one per certificate rule."""
    ids = sorted(set(user_ids))
    now = timezone.now()
    valid = Certificate.objects.filter(holder_id__in=ids, status=CertificateStatus.VALID).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    levels: dict[int, int] = {}
    if rules.min_skill_level:
        held = valid.filter(kind=CertificateKind.SKILL_LEVEL).values_list("holder_id", "snapshot__level__value")
        for holder_id, level in held:
            if isinstance(level, int) and 1 <= level <= 5:
                levels[holder_id] = min(level, levels.get(holder_id, 6))
    completed: set[int] = set()
    if rules.required_course_id:
        completed = set(
            valid.filter(kind=CertificateKind.COMPLETION, course_id=rules.required_course_id).values_list(
                "holder_id", flat=True
            )
        )
    facts = {}
    people = (
        get_user_model().objects.filter(pk__in=ids).only("pk", "username", "real_name", "id_number", "id_verified_at")
    )
    for user in people:
        born = birth_date(user.id_number) if user.id_verified else None
        facts[user.pk] = Person(
            user_id=user.pk,
            name=user.display_name,
            born=born,
            best_level=levels.get(user.pk),
            completed=user.pk in completed,
        )
    return facts


def _age_range(rules: TrackEligibility) -> str:
    if rules.min_age and rules.max_age:
        return _("%(low)s–%(high)s 周岁") % {"low": rules.min_age, "high": rules.max_age}
    if rules.min_age:
        return _("不小于 %(low)s 周岁") % {"low": rules.min_age}
    return _("不超过 %(high)s 周岁") % {"high": rules.max_age}


def person_problems(rules: TrackEligibility, person: Person, *, day: dt.date) -> list[str]:
    """The rules this person breaks, as sentences (without the person's name)."""
    problems = []
    if rules.min_age or rules.max_age:
        if person.born is None:
            problems.append(
                _("年龄条件（%(range)s）需要核验过的身份证号：请先完善身份信息并等待组委会核验")
                % {"range": _age_range(rules)}
            )
        else:
            age = age_on(person.born, day)
            if (rules.min_age and age < rules.min_age) or (rules.max_age and age > rules.max_age):
                problems.append(
                    _("年龄不符合条件：要求 %(range)s（按 %(day)s 计算），实际 %(age)s 周岁")
                    % {"range": _age_range(rules), "day": day.isoformat(), "age": age}
                )
    if rules.min_skill_level and (person.best_level is None or person.best_level > rules.min_skill_level):
        problems.append(
            _("技能等级不符合条件：须持有%(level)s或更高等级的有效职业技能等级证书")
            % {"level": SkillLevel(rules.min_skill_level).label}
        )
    if rules.required_course_id and not person.completed:
        problems.append(_("须持有课程“%(course)s”的有效结业证书") % {"course": rules.required_course.title})
    return problems


def occupation_problem(rules: TrackEligibility, occupation: str) -> str:
    allowed = occupations_list(rules.occupations)
    if not allowed:
        return ""
    if occupation_key(occupation) in {occupation_key(o) for o in allowed}:
        return ""
    if not (occupation or "").strip():
        return _("请填写职业（工种）：本赛项限%(allowed)s") % {"allowed": "、".join(allowed)}
    return _("职业（工种）“%(given)s”不符合条件：本赛项限%(allowed)s") % {
        "given": occupation.strip()[:40],
        "allowed": "、".join(allowed),
    }


def submit_problems(track: Track, user, occupation: str, *, today: dt.date | None = None) -> list[str]:
    """Why this person may not register on the track now ([] when they may)."""
    rules = rules_for(track)
    if not has_rules(rules):
        return []
    problems = person_problems(rules, people_facts(rules, [user.pk])[user.pk], day=reference_day(rules, today))
    problem = occupation_problem(rules, occupation)
    return [*problems, problem] if problem else problems


@dataclass
class Checked:
    """The outcome of a check: {key (a registration id, a file's line): [problem, …]} for those that fail."""

    problems: dict[int, list[str]] = field(default_factory=dict)

    def of(self, key: int) -> list[str]:
        return self.problems.get(key, [])


def people_check(track: Track, items, *, today: dt.date | None = None) -> Checked:
    """Check items (key, [user ids], occupation) against the track's rules: {key: problems} for
    those that fail, in at most three queries in all. A person is named when an item has several."""
    rules = rules_for(track)
    checked = Checked()
    if not has_rules(rules):
        return checked
    items = list(items)
    facts = people_facts(rules, [u for _key, ids, _occupation in items for u in ids])
    day = reference_day(rules, today)
    for key, user_ids, occupation in items:
        found = []
        for user_id in user_ids:
            person = facts.get(user_id)
            for problem in person_problems(rules, person, day=day) if person else ():
                found.append(f"{person.name}：{problem}" if len(user_ids) > 1 else problem)
        problem = occupation_problem(rules, occupation)
        if problem:
            found.append(problem)
        if found:
            checked.problems[key] = found
    return checked


def registrations_check(track: Track, registrations, *, today: dt.date | None = None) -> Checked:
    """Check registrations of the track and every accepted team member: {registration id: problems}."""
    if not has_rules(rules_for(track)):
        return Checked()
    registrations = list(registrations)
    people: dict[int, list[int]] = {r.pk: [r.user_id] for r in registrations}
    members = TeamMember.objects.filter(registration_id__in=list(people)).values_list("registration_id", "user_id")
    for registration_id, user_id in members:
        if user_id not in people[registration_id]:
            people[registration_id].append(user_id)
    return people_check(track, [(r.pk, people[r.pk], r.occupation) for r in registrations], today=today)


def registration_problems(registration: Registration) -> list[str]:
    """One registration (an organiser's single approval)."""
    return registrations_check(registration.track, [registration]).of(registration.pk)


def rules_text(track: Track) -> list[str]:
    """The track's rules in words, for the registration page ([] when it has none)."""
    rules = rules_for(track)
    if not has_rules(rules):
        return []
    lines = []
    if rules.min_age or rules.max_age:
        day = rules.age_on.isoformat() if rules.age_on else _("审核当天")
        lines.append(
            _("年龄 %(range)s（按 %(day)s 计算，需组委会核验过的身份证号）") % {"range": _age_range(rules), "day": day}
        )
    if rules.min_skill_level:
        lines.append(
            _("持有%(level)s或更高等级的有效职业技能等级证书") % {"level": SkillLevel(rules.min_skill_level).label}
        )
    if rules.required_course_id:
        lines.append(_("持有课程“%(course)s”的有效结业证书") % {"course": rules.required_course.title})
    if occupations_list(rules.occupations):
        lines.append(_("职业（工种）限%(allowed)s") % {"allowed": "、".join(occupations_list(rules.occupations))})
    return lines
