"""The frozen data of a certificate (its snapshot), what a layout sees when it is rendered, and what
a verifier is shown.

A snapshot is plain JSON written once at issuance: the holder's name and masked ID number, the
course / level + occupation / contest + track + award + rank, the dates and the issuer. Everything
shown on the PDF, on the verification page and in the credential comes from it, never from the
live course or profile.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Choices
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.idcard import mask
from accounts.models import User
from contests.scoring import AWARD_ORDER, Award
from courses.models import Course, CreditedHours, Enrolment, Provider, SkillLevel

from .study_hours import effective_hours

TITLES = {
    "completion": "结业证书",
    "skill_level": "职业技能等级证书",
    "award": "获奖证书",
    "study_hours": "学时证明",
    "training": "培训合格证书",
    "path": "专题结业证书",
}


def frozen_label(choice: Choices) -> str:
    """A choice's label in the source language (一等奖, 三级/高级工), whatever language the person
    issuing reads: a snapshot is frozen Chinese text, like the rest of the certificate."""
    with translation.override(None):
        return str(choice.label)


def award_band(label: str) -> int:
    """The band number (1 一等奖 … 4 优秀奖) of an award label frozen in a snapshot."""
    return {frozen_label(award): band for band, award in enumerate(AWARD_ORDER, start=1)}[label]


def issuer_name() -> str:
    return settings.CERTIFICATE_ISSUER_NAME


def signatories() -> list[dict]:
    """The signature lines to print: those with a name (CERTIFICATE_SIGNATORIES); a nameless line would
    print as a blank to be filled in by hand, which reads as unfinished."""
    return named(getattr(settings, "CERTIFICATE_SIGNATORIES", []))


def named(lines) -> list[dict]:
    return [dict(s) for s in lines or [] if str(s.get("name") or "").strip() and str(s.get("role") or "").strip()]


def _holder(user) -> dict:
    return {"name": (user.real_name or user.username).strip(), "id_number_masked": mask(user.id_number)}


def _date(value) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
        value = value.date()
    return value.isoformat()


def _hours(value) -> str:
    value = Decimal(value or 0).normalize()
    return f"{value:f}"


def completion(enrolment, *, issued_at) -> dict:
    course = enrolment.course
    return {
        "kind": "completion",
        "title": TITLES["completion"],
        "holder": _holder(enrolment.learner),
        "achievement": course.title,
        "achievement_key": f"{course.provider.slug}/{course.code}",
        "description": f"完成《{course.title}》课程（{_hours(course.hours)} 学时）全部学习，考核合格，准予结业",
        "criteria": "完成课程全部必修课时，并通过结业测验（如有）",
        "course": {
            "title": course.title,
            "code": course.code,
            "provider": course.provider.name,
            "hours": _hours(course.hours),
            "level": int(course.level),
        },
        "completed_on": _date(enrolment.completed_at or issued_at),
        "issued_on": _date(issued_at),
        "issuer": issuer_name(),
        "signatories": signatories(),
    }


def skill_level(holder, *, level: int, occupation: str, issued_at, expires_at=None) -> dict:
    label = frozen_label(SkillLevel(level))
    return {
        "kind": "skill_level",
        "title": TITLES["skill_level"],
        "holder": _holder(holder),
        "achievement": f"{occupation} {label}",
        "achievement_key": f"{occupation}/{level}",
        "description": f"经考核合格，取得职业（工种）“{occupation}”{label}职业技能等级",
        "criteria": "按国家职业技能标准组织的理论知识考试和操作技能考核均合格",
        "level": {"value": int(level), "label": label},
        "occupation": occupation,
        "issued_on": _date(issued_at),
        "expires_on": _date(expires_at) if expires_at else "",
        "issuer": issuer_name(),
        "signatories": signatories(),
    }


@dataclass(frozen=True)
class AwardWinner:
    """One person's award in a published round, what an award certificate is issued from (a team's
    award makes one per member; see selectors.awards_for_round)."""

    user: User
    award: Award
    rank: int
    total: str
    contest: str
    track: str
    round: str
    round_id: int
    team: str = ""

    @property
    def award_label(self) -> str:
        return frozen_label(self.award)


def award(row: AwardWinner, *, issued_at) -> dict:
    where = f"{row.contest}“{row.track}”赛项"
    label = row.award_label
    return {
        "kind": "award",
        "title": TITLES["award"],
        "holder": _holder(row.user),
        "achievement": f"{where}{label}",
        "achievement_key": f"round:{row.round_id}/{label}",
        # The award alone: a place in brackets ("二等奖（第 1 名）") reads as a contradiction when a
        # band is empty or a tie shares it; the place is its own field (名次), shared by equal totals.
        "description": f"在{where}{row.round}中荣获{label}",
        "criteria": "按大赛规程评定的比赛成绩与奖项比例",
        "contest": {
            "name": row.contest,
            "track": row.track,
            "round": row.round,
            "award": label,
            "rank": row.rank,
            "total": row.total,
            "team": row.team,
        },
        "issued_on": _date(issued_at),
        "issuer": f"{row.contest}组委会",
        "signatories": signatories(),
    }


def study_hours(holder, *, start: dt.date, end: dt.date, rows: list, issued_at) -> dict:
    """A 学时证明 of the credits `rows` (courses.CreditedHours with course and provider) in a period."""
    courses = []
    total_hours, total_seconds = Decimal(0), 0
    for row in rows:
        total_hours += row.hours
        total_seconds += row.effective_seconds
        courses.append(
            {
                "title": row.course.title,
                "code": row.course.code,
                "provider": row.course.provider.name,
                "hours": _hours(row.hours),
                "effective_hours": f"{effective_hours(row.effective_seconds):f}",
                "completed_on": _date(row.credited_at),
            }
        )
    period = f"{date_cn(start.isoformat())}至{date_cn(end.isoformat())}"
    totals = {
        "count": len(courses),
        "hours": _hours(total_hours),
        "effective_hours": f"{effective_hours(total_seconds):f}",
    }
    return {
        "kind": "study_hours",
        "title": TITLES["study_hours"],
        "holder": _holder(holder),
        "achievement": f"学时证明（{period}）",
        "achievement_key": f"study_hours/{start.isoformat()}/{end.isoformat()}",
        "description": (
            f"{period}完成 {totals['count']} 门课程的学习，认定 {totals['hours']} 学时，"
            f"有效学习时长 {totals['effective_hours']} 小时"
        ),
        "criteria": "课程全部必修内容学习完成并考核合格后认定该课程学时；有效学习时长为平台实际记录的学习时间",
        "study": {"from": start.isoformat(), "to": end.isoformat(), "courses": courses, **totals},
        "issued_on": _date(issued_at),
        "issuer": issuer_name(),
        "signatories": signatories(),
    }


def training(*, holder_name: str, id_number: str, programme: dict, issued_at) -> dict:
    """A 培训合格证书 of a member of a subsidised class who passed its final assessment.

    `programme` is plain data the training app gives (certificates imports nothing of it): class_id,
    name, courses [{title, code, hours}], starts_on and ends_on (ISO dates), institution, organisation,
    assessment (the quiz), score and pass_mark (percent, as text), passed_on (ISO date)."""
    p = programme
    courses = [{"title": c["title"], "code": c["code"], "hours": _hours(c["hours"])} for c in p["courses"]]
    total = sum((Decimal(c["hours"]) for c in courses), Decimal(0))
    period = f"{date_cn(p['starts_on'])}至{date_cn(p['ends_on'])}"
    titles = "、".join(f"《{c['title']}》" for c in courses)
    return {
        "kind": "training",
        "title": TITLES["training"],
        "holder": {"name": holder_name.strip(), "id_number_masked": mask(id_number)},
        "achievement": p["name"],
        "achievement_key": f"training:{p['class_id']}",
        "description": f"{period}参加“{p['name']}”培训，完成{titles}的学习，结业考核合格",
        "criteria": "完成培训班全部课程的学习，结业考核成绩达到开班申请规定的合格分数线",
        "programme": {
            "class_id": p["class_id"],
            "name": p["name"],
            "courses": courses,
            "hours": _hours(total),
            "starts_on": p["starts_on"],
            "ends_on": p["ends_on"],
            "institution": p["institution"],
            "organisation": p["organisation"],
            "assessment": p["assessment"],
            "score": p["score"],
            "pass_mark": p["pass_mark"],
        },
        "completed_on": p["passed_on"],
        "issued_on": _date(issued_at),
        "issuer": issuer_name(),
        "signatories": signatories(),
    }


def path(holder, *, page_id: int, title: str, theme: str, steps: list, completed_at, issued_at) -> dict:
    """A 专题结业证书 of a completed path: `steps` are courses.paths.StepProgress, in order; the
    certificate lists the required courses and the optional ones the holder completed."""
    courses = []
    total = Decimal(0)
    for step in steps:
        if not step.required and step.status != "completed":
            continue
        course = step.course
        total += Decimal(course.hours or 0)
        courses.append(
            {
                "title": course.title,
                "code": course.code,
                "provider": course.provider.name,
                "hours": _hours(course.hours),
                "required": bool(step.required),
                "completed_on": _date(step.completed_at) if step.completed_at else "",
            }
        )
    required = sum(1 for c in courses if c["required"])
    name = f"“{title}”专题" + (f"（{theme}）" if theme and theme != title else "")
    return {
        "kind": "path",
        "title": TITLES["path"],
        "holder": _holder(holder),
        "achievement": title,
        "achievement_key": f"path:{page_id}",
        "description": f"完成{name}全部 {required} 门必修课程的学习，共 {_hours(total)} 学时，考核合格，准予结业",
        "criteria": "完成专题中全部必修课程的学习，每门课程考核合格",
        "path": {
            "id": page_id,
            "title": title,
            "theme": theme,
            "count": len(courses),
            "required": required,
            "hours": _hours(total),
            "courses": courses,
        },
        "completed_on": _date(completed_at or issued_at),
        "issued_on": _date(issued_at),
        "issuer": issuer_name(),
        "signatories": signatories(),
    }


def level_digit(snapshot: dict) -> int:
    """The {level} of the number pattern (see numbers.py)."""
    kind = snapshot["kind"]
    if kind in ("study_hours", "training", "path"):
        return 0
    if kind == "completion":
        return snapshot["course"]["level"]
    if kind == "skill_level":
        return snapshot["level"]["value"]
    return award_band(snapshot["contest"]["award"])


def date_cn(value: str) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value)
    return f"{day.year}年{day.month}月{day.day}日"


def facts(snapshot: dict, *, number: str) -> list[tuple[str, str]]:
    """What a verifier (and an organiser) is shown of a certificate, in the reader's language, all
    from the frozen snapshot."""
    s = snapshot
    shown = [
        (_("持证人"), s["holder"]["name"]),
        (_("身份证号"), s["holder"].get("id_number_masked") or _("未登记")),
        (_("证书类型"), s["title"]),
        (_("证书编号"), number),
    ]
    if s["kind"] == "completion":
        course = s["course"]
        shown += [
            (_("课程"), f"{course['title']}（{course['code']}）"),
            (_("培训机构"), course["provider"]),
            (_("学时"), course["hours"]),
        ]
    elif s["kind"] == "skill_level":
        shown += [(_("职业（工种）"), s["occupation"]), (_("技能等级"), s["level"]["label"])]
    elif s["kind"] == "training":
        programme = s["programme"]
        shown += [
            (_("培训项目"), programme["name"]),
            (_("课程"), "、".join(f"{c['title']}（{c['code']}）" for c in programme["courses"])),
            (_("培训期间"), f"{date_cn(programme['starts_on'])} – {date_cn(programme['ends_on'])}"),
            (_("培训机构"), programme["institution"]),
        ]
    elif s["kind"] == "path":
        shown += [
            (_("专题"), s["path"]["title"]),
            (_("课程数"), str(s["path"]["count"])),
            (_("学时"), s["path"]["hours"]),
            (_("结业日期"), date_cn(s["completed_on"])),
        ]
    elif s["kind"] == "study_hours":
        study = s["study"]
        shown += [
            (_("期间"), f"{date_cn(study['from'])} – {date_cn(study['to'])}"),
            (_("课程数"), str(study["count"])),
            (_("认定学时"), study["hours"]),
            (_("有效学习时长（小时）"), study["effective_hours"]),
        ]
    else:
        contest = s["contest"]
        shown += [(_("大赛"), contest["name"]), (_("赛项"), contest["track"]), (_("奖项"), contest["award"])]
        if contest.get("rank"):
            shown.append((_("名次"), str(contest["rank"])))
    shown += [(_("颁发日期"), date_cn(s["issued_on"])), (_("颁发机构"), s["issuer"])]
    if s.get("expires_on"):
        shown.append((_("有效期至"), date_cn(s["expires_on"])))
    return shown


def layout_context(snapshot: dict, *, number: str, code: str, verify_url: str) -> dict:
    """The variables a certificate layout sees (documented on the template editor page)."""
    return {
        "cert": {"number": number, "code": code, "kind": snapshot["kind"], "title": snapshot["title"]},
        "holder": snapshot["holder"],
        "achievement": snapshot["achievement"],
        "description": snapshot["description"],
        "course": snapshot.get("course", {}),
        "level": snapshot.get("level", {}),
        "occupation": snapshot.get("occupation", ""),
        "contest": snapshot.get("contest", {}),
        "study": _study_context(snapshot.get("study")),
        "programme": _programme_context(snapshot.get("programme")),
        "path": _path_context(snapshot.get("path")),
        "issued_on": date_cn(snapshot["issued_on"]),
        "completed_on": date_cn(snapshot.get("completed_on", "")),
        "expires_on": date_cn(snapshot.get("expires_on", "")),
        "issuer": snapshot["issuer"],
        "signatories": named(snapshot.get("signatories")),  # snapshots frozen with a blank name too
        "verify_url": verify_url,
    }


def _study_context(study: dict | None) -> dict:
    if not study:
        return {}
    courses = [{**c, "completed_on": date_cn(c["completed_on"])} for c in study["courses"]]
    return {**study, "courses": courses, "from": date_cn(study["from"]), "to": date_cn(study["to"])}


def _programme_context(programme: dict | None) -> dict:
    if not programme:
        return {}
    dates = {key: date_cn(programme[key]) for key in ("starts_on", "ends_on")}
    return {**programme, **dates}


def _path_context(path: dict | None) -> dict:
    if not path:
        return {}
    return {**path, "courses": [{**c, "completed_on": date_cn(c["completed_on"])} for c in path["courses"]]}


def sample_context(kind: str) -> dict:
    """What the template editor previews: a made-up certificate of the kind (nothing is saved)."""
    now = timezone.now()
    person = User(username="sample", real_name="张三", id_number="110105199001011234")
    if kind == "completion":
        course = Course(
            provider=Provider(name="示例培训中心", slug="sample"), code="IIOT-101", title="工业互联网平台应用", hours=32
        )
        snapshot = completion(Enrolment(learner=person, course=course, completed_at=now), issued_at=now)
    elif kind == "skill_level":
        snapshot = skill_level(person, level=3, occupation="工业机器人系统运维员", issued_at=now)
    elif kind == "path":
        snapshot = path(
            person,
            page_id=0,
            title="数字技术工程师",
            theme="数字技术工程师",
            steps=_sample_steps(now),
            completed_at=now,
            issued_at=now,
        )
    elif kind == "study_hours":
        snapshot = study_hours(
            person, start=dt.date(now.year, 1, 1), end=now.date(), rows=_sample_credits(now), issued_at=now
        )
    elif kind == "training":
        snapshot = training(
            holder_name=person.real_name, id_number=person.id_number, programme=_sample_programme(now), issued_at=now
        )
    else:
        row = AwardWinner(person, Award.FIRST, 1, "96.50", "全国工业和信息化技术技能大赛", "工业互联网安全", "决赛", 0)
        snapshot = award(row, issued_at=now)
    return layout_context(snapshot, number="XX2026X000000", code="SAMPLE2345SAMPLE2345", verify_url=_sample_url())


def _sample_credits(now) -> list:
    provider = Provider(name="示例培训中心", slug="sample")
    titles = [("IIOT-101", "工业互联网平台应用", 32, 120_600), ("SEC-201", "工业控制系统安全", 16, 61_200)]
    return [
        CreditedHours(
            course=Course(provider=provider, code=code, title=title),
            hours=hours,
            effective_seconds=sec,
            credited_at=now,
        )
        for code, title, hours, sec in titles
    ]


def _sample_programme(now) -> dict:
    courses = [
        {"title": "工业互联网平台应用", "code": "IIOT-101", "hours": "32"},
        {"title": "工业控制系统安全", "code": "SEC-201", "hours": "16"},
    ]
    return {
        "class_id": 0,
        "name": f"{now.year}年工业互联网技能提升培训班",
        "courses": courses,
        "starts_on": dt.date(now.year, 3, 1).isoformat(),
        "ends_on": dt.date(now.year, 6, 30).isoformat(),
        "institution": "示例培训中心",
        "organisation": "示例智能装备有限公司",
        "assessment": "结业考核",
        "score": "92",
        "pass_mark": "60",
        "passed_on": dt.date(now.year, 6, 20).isoformat(),
    }


def _sample_steps(now) -> list:
    provider = Provider(name="示例培训中心", slug="sample")
    titles = [("IIOT-101", "工业互联网平台应用", 32, True), ("SEC-201", "工业控制系统安全", 16, False)]
    return [
        SimpleNamespace(
            course=Course(provider=provider, code=code, title=title, hours=hours),
            required=required,
            status="completed",
            completed_at=now,
        )
        for code, title, hours, required in titles
    ]


def _sample_url() -> str:
    return f"{settings.CERTIFICATE_BASE_URL.rstrip('/')}/verify/SAMPLE2345SAMPLE2345/"
