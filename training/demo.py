"""Enterprise training demo for `seed_demo`: three enterprises of the registry demo, each with its
企业培训管理员, a roster imported from a workbook, two classes with assigned demo courses and workers
part-way through them.

Everything goes through the services, in the order a real company would: the manager imports the
roster (accounts whose ID number an organiser verified are matched, the others invited), a worker
accepts an invitation, classes get courses and members and open (enrolment on assignment), a
subsidised class's 开班申请 is submitted and approved, another waits in the organisers' queue, a
provider runs a class under the company's grant, a worker leaves. Then the workers study through the
real rules (courses/demo/seed.py `progress_make`) and their records are moved back into the class
period, so that one class of each company is overdue with a history and the others run on.

Dates are relative to today (Asia/Shanghai). Runs after organisations_demo_seed (the enterprises,
qiye_hr and qiye_worker) and the courses demo (the courses, the organiser, provider staff). Keyed on
user names, roster ID numbers and class names: a second run creates nothing, in a few queries.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

from openpyxl import Workbook

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.demo import ORGANISER, Report, id_number
from courses.demo.seed import progress_backdate, progress_make
from courses.models import Course, Enrolment, Provider, ProviderMembership
from notifications.models import Notification, NotificationKind
from notifications.services import notify_class_assigned
from organisations import services as organisation_services
from organisations.demo import DEMO_PASSWORD
from organisations.models import MembershipRole, Organisation, OrganisationMembership

from . import services
from .models import ClassMember, ClassSignIn, RosterEntry, RosterStatus, TrainingClass, TrainingPartner
from .roster_import import COLUMNS, WRITES, plan_rows
from .services.applications import (
    Teacher,
    class_application_approve,
    class_application_save,
    class_application_submit,
    training_class_subsidised_set,
)


@dataclass(frozen=True)
class Enterprise:
    name: str
    short: str
    manager: tuple[str, str]  # user name, real name
    # (user name or "" for a worker invited without an account, name, sex, born, birthplace, 部门, 工种)
    workers: list[tuple]
    accepts: tuple = ()  # user names whose invitation is accepted (accounts without a verified ID)
    left: tuple = ()  # user names marked left once the classes are set up


@dataclass(frozen=True)
class ClassSpec:
    enterprise: str
    name: str
    description: str
    courses: list[str]
    start: int  # days from today
    deadline: int
    members: list[str]  # user names, or names of invited workers
    progress: dict = field(default_factory=dict)  # user name → one plan per course (progress_make)
    provider: str = ""  # slug of the provider running it under the company's grant
    application: dict | None = None  # a subsidised class's 开班申请
    approved: bool = False


# fmt: off
ENTERPRISES = [
    Enterprise("苏州精工智能装备有限公司", "精工智能", ("qiye_hr", "周敏"), [
        ("jg01", "周建军", "m", "1986-04-12", "320505", "生产部", "数控车工"),
        ("jg02", "吴晓峰", "m", "1991-09-03", "320506", "设备部", "电工"),
        ("jg03", "孙丽娟", "f", "1993-02-21", "321281", "质量部", "质检员"),
        ("jg04", "朱永强", "m", "1984-11-08", "341221", "设备部", "工业机器人系统运维员"),
        ("jg05", "徐海涛", "m", "1995-06-30", "320583", "生产部", "工业机器人系统操作员"),
        ("jg06", "马文静", "f", "1997-01-17", "320507", "技术部", "工业机器人系统运维员"),
        ("jg07", "胡志明", "m", "1979-08-25", "411325", "设备部", "钳工"),
        ("jg08", "郭春燕", "f", "1990-03-09", "320681", "质量部", "质检员"),
        ("jg09", "林东", "m", "1998-12-02", "320505", "生产部", "数控铣工"),
        ("jg10", "何俊", "m", "1992-05-14", "510722", "设备部", "电工"),
        ("jg11", "高翔", "m", "1988-07-19", "320506", "生产部", "焊工"),
        ("jg12", "谢强", "m", "1987-10-05", "430524", "设备部", "电工"),
        ("qiye_worker", "陈刚", "m", "1989-05-20", "320505", "生产部", "钳工"),
        ("", "罗小梅", "f", "1999-04-11", "320507", "质量部", "计量员"),
        ("", "梁宇", "m", "2000-09-23", "341221", "生产部", "数控车工"),
        ("", "宋佳", "f", "1996-03-28", "320583", "技术部", "工业机器人系统运维员"),
    ], accepts=("qiye_worker",), left=("jg12",)),
    Enterprise("无锡新材料科技股份有限公司", "无锡新材", ("qiye_px2", "钱丽华"), [
        ("wx01", "王海峰", "m", "1985-02-14", "320214", "生产部", "化工总控工"),
        ("wx02", "李娜", "f", "1994-08-22", "320206", "质量部", "化学检验员"),
        ("wx03", "张磊", "m", "1990-12-01", "320282", "设备部", "电工"),
        ("wx04", "刘洋", "m", "1993-03-17", "320214", "设备部", "仪器仪表维修工"),
        ("wx05", "杨帆", "m", "1996-07-07", "342622", "生产部", "化工总控工"),
        ("wx06", "赵雪", "f", "1995-11-19", "320211", "技术部", "工业互联网运维员"),
        ("wx07", "黄伟", "m", "1982-04-26", "320206", "生产部", "塑料制品成型工"),
        ("wx08", "周静", "f", "1991-10-13", "320214", "质量部", "化学检验员"),
        ("wx09", "吴斌", "m", "1987-06-04", "412727", "设备部", "钳工"),
        ("wx10", "郑凯", "m", "1992-01-29", "320282", "信息中心", "网络与信息安全管理员"),
        ("wx11", "冯敏", "f", "1994-05-16", "320211", "信息中心", "信息通信网络运行管理员"),
        ("", "蒋涛", "m", "2001-02-08", "320206", "生产部", "化工总控工"),
        ("", "韩雪梅", "f", "1998-09-30", "320214", "质量部", "化学检验员"),
    ]),
    Enterprise("深圳智造电子有限公司", "智造电子", ("qiye_px3", "黄佳怡"), [
        ("zz01", "刘芳", "f", "1996-03-12", "440306", "SMT车间", "电子设备装接工"),
        ("zz02", "陈志强", "m", "1989-07-21", "441424", "SMT车间", "电子设备装接工"),
        ("zz03", "杨丽", "f", "1994-12-05", "445221", "质量部", "电子产品检验员"),
        ("zz04", "林志伟", "m", "1986-09-18", "440306", "设备部", "电工"),
        ("zz05", "黄晓玲", "f", "1997-05-27", "450881", "质量部", "电子产品检验员"),
        ("zz06", "邓超", "m", "1993-01-09", "431021", "设备部", "工业机器人系统运维员"),
        ("zz07", "曾伟", "m", "1990-11-23", "360733", "测试部", "集成电路测试员"),
        ("zz08", "彭敏", "f", "1998-06-15", "440306", "SMT车间", "电子设备装接工"),
        ("zz09", "许文", "m", "1995-04-02", "500235", "测试部", "半导体芯片制造工"),
        ("", "谢丹", "f", "2000-08-19", "441424", "SMT车间", "电子设备装接工"),
        ("", "罗斌", "m", "1999-10-10", "445221", "测试部", "集成电路测试员"),
        ("", "方圆", "f", "2001-01-26", "440306", "质量部", "电子产品检验员"),
    ]),
]
# fmt: on

_SMART_PLAN = {
    "teaching_plan": (
        "第一阶段（第1—2周）：在线学习《智能制造系统概论》，建立智能制造系统的整体认识；\n"
        "第二阶段（第3—5周）：学习《数字孪生工厂建模与仿真》，结合本公司改性材料产线完成一次产线建模练习；\n"
        "第三阶段（第6周）：学习《MES制造执行系统实施》，参加结业考核。\n"
        "每周四 19:00—20:30 在公司培训教室安排线下答疑，并组织签到。"
    ),
    "teachers": [
        Teacher("蒋立平", "高级工程师", "智能制造工程技术人员（高级）"),
        Teacher("董海涛", "讲师", "职业技能等级认定考评员"),
    ],
    "assessment_plan": (
        "结业考核为线上闭卷测验（《智能制造系统概论》结业测验），成绩达到 60 分为合格，须先完成全部课程的"
        "必修课时。考核合格者由平台颁发培训合格证书。"
    ),
    "quiz_of": "SM-101",
    "comment": "材料齐全，教学计划与考核方案符合补贴性培训要求，同意开班。请按计划组织签到和结业考核。",
}
_IC_PLAN = {
    "teaching_plan": (
        "第一阶段（第1—3周）：在线学习《集成电路产业概论》，了解芯片设计、制造、封测的产业链；\n"
        "第二阶段（第4—7周）：学习《芯片封装与测试工艺》，结合本公司测试车间的ATE设备开展岗位练习；\n"
        "第三阶段（第8周）：复习答疑，参加结业考核。\n"
        "每两周安排一次线下实操指导（测试部二楼实训室），并组织签到。"
    ),
    "teachers": [
        Teacher("周建华", "高级工程师", "集成电路工程技术人员（高级）"),
        Teacher("钱志刚", "高级技师", "半导体芯片制造工（一级/高级技师）"),
    ],
    "assessment_plan": "结业考核为线上闭卷测验（《芯片封装与测试工艺》结业测验），成绩达到 60 分为合格。",
    "quiz_of": "IC-301",
}
CLASSES = [
    ClassSpec(
        "苏州精工智能装备有限公司",
        "智能制造与网络安全基础培训班（第三期）",
        "面向生产、设备和质量部门骨干的年度必修培训：网络安全法规、智能制造基础和工业互联网平台应用。",
        ["SEC-101", "SM-101", "IIOT-101"],
        start=-75,
        deadline=-12,
        members=["jg01", "jg02", "jg03", "jg04", "jg05", "jg06", "jg07", "jg08", "jg12", "宋佳"],
        progress={
            "jg01": ["complete", "complete", "complete"],
            "jg02": ["complete", 2],
            "jg03": ["complete", "complete", "retry_complete"],
            "jg08": ["complete", "complete", 1],
            "jg04": ["complete", 1],
            "jg05": ["complete"],
            "jg06": [2],
            "jg12": [1],
        },
    ),
    ClassSpec(
        "苏州精工智能装备有限公司",
        "工业机器人系统运维员技能提升班（第一期）",
        "配合新投产的机器人焊装线：PLC编程、机器人操作与编程、机器视觉检测，学完后参加公司内部技能等级认定。",
        ["SW-101", "SM-201", "AI-201"],
        start=-10,
        deadline=30,
        members=["qiye_worker", "jg01", "jg04", "jg09", "jg10", "jg11", "梁宇"],
        progress={"jg01": ["complete"], "jg09": ["complete", 1], "jg10": [2], "jg11": [1]},
    ),
    ClassSpec(
        "无锡新材料科技股份有限公司",
        "产线数字化与数据安全培训班",
        "由华信培训承办：工业互联网标识解析在改性材料产线的应用，以及生产数据的安全管理。",
        ["SEC-101", "IIOT-201"],
        start=-60,
        deadline=-5,
        members=["wx01", "wx03", "wx04", "wx06", "wx10", "wx11", "韩雪梅"],
        progress={
            "wx10": ["complete", "complete"],
            "wx11": [1, "complete"],
            "wx06": ["complete"],
            "wx03": [2],
            "wx01": [1],
        },
        provider="huaxin-skills",
    ),
    ClassSpec(
        "无锡新材料科技股份有限公司",
        "智能制造职业技能提升补贴培训班",
        "2026年职业技能提升行动补贴性培训，开班申请已经组织者批准。",
        ["SM-101", "SM-301", "SW-201"],
        start=3,
        deadline=48,
        members=["wx02", "wx05", "wx07", "wx08", "wx09", "蒋涛"],
        application=_SMART_PLAN,
        approved=True,
    ),
    ClassSpec(
        "深圳智造电子有限公司",
        "电子装联质量与机器视觉培训班",
        "SMT车间和质量部的岗位培训：集成电路基础知识与AOI机器视觉检测。",
        ["IC-101", "AI-201"],
        start=-8,
        deadline=30,
        members=["zz01", "zz02", "zz03", "zz04", "zz05", "zz06", "谢丹"],
        progress={"zz03": ["complete"], "zz06": ["complete"], "zz01": [2], "zz02": [1]},
    ),
    ClassSpec(
        "深圳智造电子有限公司",
        "集成电路测试职业技能提升补贴培训班",
        "2026年职业技能提升行动补贴性培训，开班申请待组织者审批。",
        ["IC-101", "IC-301"],
        start=14,
        deadline=60,
        members=["zz02", "zz04", "zz07", "zz08", "zz09", "罗斌"],
        application=_IC_PLAN,
    ),
]


# ------------------------------------------------------------------ people


def _identity(n: int, sex: str, born: str, region: str) -> tuple[str, str]:
    """A made-up mobile number and a 身份证号 with a right check digit (odd sequence: male)."""
    phone = f"1{'3587'[n % 4]}{(n * 7_919_113 + 52_640_071) % 10**9:09d}"
    sequence = f"{(11 + 17 * n) % 100:02d}{2 * (n % 5) + (1 if sex == 'm' else 0)}"
    return phone, id_number(region, dt.date.fromisoformat(born), sequence)


def roster_rows(enterprise_no: int, enterprise: Enterprise):
    """(user name, name, phone, ID number, 部门, 工种) of each worker of the enterprise."""
    for i, (username, name, sex, born, region, department, job) in enumerate(enterprise.workers):
        phone, number = _identity(enterprise_no * 100 + i, sex, born, region)
        yield username, name, phone, number, department, job


def _users_ensure(report: Report, organiser) -> dict:
    """Managers, and workers with an account whose ID number the organiser verified. One password hash
    for all of them: hashing is the slow part of creating a user."""
    User = get_user_model()
    wanted = {}
    for n, enterprise in enumerate(ENTERPRISES):
        username, real_name = enterprise.manager
        wanted[username] = {"real_name": real_name, "organisation": enterprise.name}
        for username, name, phone, number, _dept, _job in roster_rows(n, enterprise):
            if username and username not in enterprise.accepts:
                wanted[username] = {"real_name": name, "organisation": enterprise.name, "phone": phone}
                wanted[username] |= {"id_number": number, "id_verified_at": timezone.now(), "id_verified_by": organiser}
    names = set(wanted) | {u for e in ENTERPRISES for u in e.accepts}
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    hashed = None
    for username, fields in wanted.items():
        if username in users:
            continue
        hashed = hashed or make_password(DEMO_PASSWORD)
        user = User(username=username, email=f"{username}@example.com", password=hashed, **fields)
        user.full_clean()
        user.save()
        users[username] = user
        report.add("用户")
    return users


def _managers_ensure(organisations: dict, users: dict) -> None:
    pairs = {(organisations[e.name].pk, users[e.manager[0]].pk) for e in ENTERPRISES}
    present = set(
        OrganisationMembership.objects.filter(
            role=MembershipRole.TRAINING_MANAGER, organisation__in=organisations.values()
        ).values_list("organisation_id", "user_id")
    )
    for enterprise in ENTERPRISES:
        organisation, manager = organisations[enterprise.name], users[enterprise.manager[0]]
        if (organisation.pk, manager.pk) in pairs - present:
            organisation_services.membership_add(
                organisation=organisation, user=manager, role=MembershipRole.TRAINING_MANAGER
            )


# ------------------------------------------------------------------ roster


def _workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "职工名册"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _roster_import(organisation, enterprise: Enterprise, rows: list, manager, users: dict, report: Report) -> None:
    """The manager's import of the workers not yet on the roster, confirmed as previewed; then the
    workers in `accepts` accept their invitation."""
    data = _workbook([(name, phone, number, dept, job) for _u, name, phone, number, dept, job in rows])
    upload = services.roster_import_create(
        organisation=organisation, by=manager, file_name=f"{enterprise.short}职工名册.xlsx", data=data
    )
    plan = plan_rows(organisation, upload.rows)
    counts = services.roster_import_apply(roster_import=upload, by=manager, fingerprint=plan.fingerprint)
    report.add("职工名册", sum(counts.get(action, 0) for action in WRITES))
    numbers = {number: username for username, _n, _p, number, _d, _j in rows}
    for entry in RosterEntry.objects.filter(
        organisation=organisation, id_number__in=numbers, status=RosterStatus.INVITED
    ):
        username = numbers[entry.id_number]
        if username in enterprise.accepts:
            services.roster_invitation_accept(token=entry.invitation_token, user=users[username])


# ------------------------------------------------------------------ classes


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _class_build(spec: ClassSpec, organisation, entries: dict, users: dict, context: dict, report: Report):
    today, organiser = context["today"], context["organiser"]
    manager = users[next(e.manager[0] for e in ENTERPRISES if e.name == spec.enterprise)]
    starts_on, deadline = today + dt.timedelta(days=spec.start), today + dt.timedelta(days=spec.deadline)
    provider, by = None, manager
    if spec.provider:
        provider = context["providers"][spec.provider]
        granted = TrainingPartner.objects.filter(organisation=organisation, provider=provider, withdrawn_at=None)
        if not granted.exists():
            services.training_partner_grant(organisation=organisation, provider=provider, by=manager)
        by = context["staff"][provider.pk]
    # A class opens only before its deadline: an overdue class opened then, its deadline is set below.
    training_class = services.training_class_create(
        organisation=organisation,
        by=by,
        name=spec.name,
        description=spec.description,
        starts_on=starts_on,
        deadline=max(deadline, today),
        provider=provider,
    )
    courses = [context["courses"][code] for code in spec.courses]
    for course in courses:
        services.class_course_add(training_class=training_class, course=course, by=by)
    services.class_members_add(training_class=training_class, entries=[entries[m] for m in spec.members], by=by)
    report.add("培训班")
    if spec.application:
        _application(training_class, spec, manager, organiser, context["courses"], report)
        if not spec.approved:
            return training_class
    training_class = services.training_class_open(training_class=training_class, by=by)
    if deadline < today:
        training_class = services.training_class_update(
            training_class=training_class,
            by=by,
            name=training_class.name,
            description=training_class.description,
            starts_on=starts_on,
            deadline=deadline,
        )
    member_ids = [entries[m].user_id for m in spec.members if entries[m].user_id]
    opened_at = _at(starts_on) if starts_on < today else timezone.now()
    _announce(training_class, member_ids, spec, users, opened_at)
    if starts_on < today:
        Enrolment.objects.filter(learner_id__in=member_ids, course__in=courses).update(enrolled_at=opened_at)
        _study(training_class, spec, courses, entries, users, opened_at, report, today)
    return training_class


def _application(training_class, spec: ClassSpec, manager, organiser, courses: dict, report: Report) -> None:
    plan = spec.application
    training_class_subsidised_set(training_class=training_class, subsidised=True, by=manager)
    application = class_application_save(
        training_class=training_class,
        by=manager,
        teaching_plan=plan["teaching_plan"],
        assessment_plan=plan["assessment_plan"],
        assessment_quiz=courses[plan["quiz_of"]].final_quiz,
        pass_mark=60,
        teachers=plan["teachers"],
    )
    application = class_application_submit(application=application, by=manager)
    report.add("开班申请")
    if spec.approved:
        class_application_approve(application=application, by=organiser, comment=plan["comment"])


def _announce(training_class, member_ids: list[int], spec: ClassSpec, users: dict, opened_at) -> None:
    """分配培训班 is told after the commit by the class service; telling it here, inside the demo's
    transaction, lets the demo date it at the class's opening and mark it read by those who have been
    studying (or, for a class past its deadline, by everyone). The notification's key makes the
    service's own call after the commit a no-op."""
    notify_class_assigned(training_class=training_class, users=member_ids)
    told = Notification.objects.filter(kind=NotificationKind.CLASS_ASSIGNED, dedupe_key=f"class:{training_class.pk}")
    told.update(created_at=opened_at)
    readers = member_ids if spec.deadline < 0 else [users[u].pk for u in spec.progress]
    told.filter(recipient_id__in=readers).update(read_at=opened_at + dt.timedelta(hours=2))


def _study(training_class, spec: ClassSpec, courses, entries: dict, users: dict, opened_at, report, today) -> None:
    """The workers' progress, spread over the class period before today: each course on its own
    evening, a sign-in (签到) that day, every record dated then."""
    last = min(today - dt.timedelta(days=1), training_class.deadline)
    span = max(1, (last - training_class.starts_on).days)
    step = max(1, span // (len(courses) + 1))
    enrolments = {
        (e.learner_id, e.course_id): e
        for e in Enrolment.objects.filter(
            learner_id__in=[users[u].pk for u in spec.progress], course__in=courses
        ).select_related("course__final_quiz")
    }
    members = dict(ClassMember.objects.filter(training_class=training_class).values_list("entry_id", "pk"))
    sign_ins = {}
    for k, (username, plans) in enumerate(spec.progress.items()):
        user = users[username]
        for i, (course, plan) in enumerate(zip(courses, plans, strict=False)):
            day = training_class.starts_on + dt.timedelta(days=min(span, 1 + (2 * k) % step + i * step))
            at = max(_at(day, 19, 30) + dt.timedelta(minutes=7 * k), opened_at + dt.timedelta(hours=1))
            enrolment = enrolments[(user.pk, course.pk)]
            progress_make(user, enrolment, plan, report, at=at)
            progress_backdate(enrolment=enrolment, at=at + dt.timedelta(minutes=50), enrolled_at=opened_at)
            member = members[entries[username].pk]
            sign_ins[(member, day)] = ClassSignIn(member_id=member, day=day, at=at - dt.timedelta(minutes=5))
    ClassSignIn.objects.bulk_create(sign_ins.values(), ignore_conflicts=True)


# ------------------------------------------------------------------ the whole


@transaction.atomic
def training_demo_seed(report: Report) -> None:
    User = get_user_model()
    organiser = User.objects.get(username=ORGANISER[0])
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=[e.name for e in ENTERPRISES])}
    users = _users_ensure(report, organiser)
    _managers_ensure(organisations, users)
    rows = {e.name: list(roster_rows(n, e)) for n, e in enumerate(ENTERPRISES)}
    on_roster = set(
        RosterEntry.objects.filter(organisation__in=organisations.values()).values_list("organisation_id", "id_number")
    )
    existing = set(TrainingClass.objects.filter(organisation__in=organisations.values()).values_list("name", flat=True))
    context = None
    for enterprise in ENTERPRISES:
        organisation, manager = organisations[enterprise.name], users[enterprise.manager[0]]
        missing = [row for row in rows[enterprise.name] if (organisation.pk, row[3]) not in on_roster]
        if missing:
            _roster_import(organisation, enterprise, missing, manager, users, report)
        specs = [s for s in CLASSES if s.enterprise == enterprise.name and s.name not in existing]
        if not specs:
            continue
        context = context or _context(organiser)
        entries = _entries(organisation, rows[enterprise.name])
        for spec in specs:
            _class_build(spec, organisation, entries, users, context, report)
        imported = {row[0] for row in missing}
        for username in (u for u in enterprise.left if u in imported):  # left after the classes began
            services.roster_entry_leave(entry=entries[username], by=manager)
    report.credentials.append(
        ("企业培训管理员 · 精工智能 / 无锡新材 / 智造电子", "qiye_hr / qiye_px2 / qiye_px3", DEMO_PASSWORD)
    )
    report.credentials.append(
        ("培训班职工（精工智能 · 无锡新材 · 智造电子）", "jg01 … jg12 · wx01 … wx11 · zz01 … zz09", DEMO_PASSWORD)
    )


def _context(organiser) -> dict:
    codes = {code for spec in CLASSES for code in spec.courses}
    providers = {p.slug: p for p in Provider.objects.filter(slug__in={s.provider for s in CLASSES if s.provider})}
    staff = {}
    for membership in ProviderMembership.objects.filter(provider__in=providers.values()).select_related("user"):
        staff.setdefault(membership.provider_id, membership.user)
    return {
        "today": timezone.localdate(),
        "organiser": organiser,
        "courses": {c.code: c for c in Course.objects.filter(code__in=codes).select_related("final_quiz")},
        "providers": providers,
        "staff": staff,
    }


def _entries(organisation, rows: list) -> dict:
    """The organisation's roster entries by user name (workers with an account) or by name."""
    by_number = {e.id_number: e for e in RosterEntry.objects.filter(organisation=organisation)}
    return {username or name: by_number[number] for username, name, _p, number, _d, _j in rows}
