"""Demo pool for `seed_demo`: ten experts (some 国家级裁判), the contest demo's judges among them, a
chief judge per track, and one recusal case: 孙立新 of 昆山精密机械制造有限公司, whose colleague
王志强 (learner1) competes in 工业互联网安全, shows as 回避 on that track's assignment page and judges
集成电路开发及应用 instead. Runs after the contest and registry demos; a second run adds nothing.
"""

from django.db import transaction

from accounts.demo import ORGANISER, Report, user_ensure
from contests.demo import JUDGE_PASSWORD
from contests.models import Contest, Track, TrackJudge
from organisations import creditcode
from organisations import services as organisation_services
from organisations.models import Industry, Organisation, Region

from . import services
from .models import Expert, Qualification, qualifications_text

RECUSED_ORGANISATION = ("昆山精密机械制造有限公司", "昆山精密", "91320583MA1X3K9R4", "3205", "34")
Q = Qualification
# username (or None: in the pool without an account), name, organisation, qualifications, occupations, titles, phone
EXPERTS = [
    (
        "judge1",
        "周建华",
        "全国工业和信息化技术技能大赛组委会",
        [Q.NATIONAL_JUDGE],
        "网络安全管理员、信息安全测试员",
        "正高级工程师",
        "13900001001",
    ),
    (
        "judge2",
        "吴海燕",
        "南京工业职业技术大学",
        [Q.NATIONAL_JUDGE, Q.PROFESSOR],
        "集成电路工程技术人员",
        "教授",
        "13900001002",
    ),
    (
        "judge3",
        "郑国栋",
        "深圳职业技术大学",
        [Q.PROVINCIAL_JUDGE, Q.SENIOR_ENGINEER],
        "人工智能训练师",
        "",
        "13900001003",
    ),
    (
        "judge4",
        "孙立新",
        RECUSED_ORGANISATION[0],
        [Q.NATIONAL_JUDGE, Q.SENIOR_TECHNICIAN],
        "电工、网络安全管理员",
        "",
        "13900001004",
    ),
    (
        "judge5",
        "钱文博",
        "杭州云帆软件技术有限公司",
        [Q.PROVINCIAL_JUDGE],
        "人工智能训练师、软件工程技术人员",
        "高级工程师",
        "13900001005",
    ),
    (None, "冯雪梅", "无锡新材料科技股份有限公司", [Q.SKILL_MASTER], "化工总控工", "", "13900001006"),
    (
        None,
        "陈志远",
        "深圳智造电子有限公司",
        [Q.SENIOR_TECHNICIAN],
        "电子设备装接工、集成电路工程技术人员",
        "",
        "13900001007",
    ),
    (None, "褚红", "成都蓉城建设工程有限公司", [Q.TECHNICIAN], "电工", "", "13900001008"),
    (
        None,
        "卫东",
        "苏州精工智能装备有限公司",
        [Q.NATIONAL_JUDGE, Q.SKILL_MASTER],
        "工业机器人系统运维员",
        "",
        "13900001009",
    ),
    (None, "蒋丽", "江苏省人力资源和社会保障厅", [], "职业技能鉴定", "", "13900001010"),
]
# track slug → (chief judge, other judges), by user name
ASSIGNMENTS = {
    "iiot-security": ("judge1", ["judge2", "judge3"]),
    "ic": ("judge2", ["judge1", "judge3", "judge4"]),
    "ai-trainer": ("judge3", ["judge1", "judge2", "judge5"]),
}


def _recused_organisation() -> Organisation:
    name, short, code17, city, industry = RECUSED_ORGANISATION
    found = Organisation.objects.filter(name=name).first()
    if found is not None:
        return found
    return organisation_services.organisation_create(
        kind="employer",
        name=name,
        short_name=short,
        credit_code=creditcode.complete(code17),
        city=Region.objects.get(pk=city),
        industry=Industry.objects.get(pk=industry),
        size_class="medium",
    )


@transaction.atomic
def experts_demo_seed(report: Report) -> None:
    from django.contrib.auth import get_user_model

    organiser = get_user_model().objects.get(username=ORGANISER[0])
    _recused_organisation()
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=[e[2] for e in EXPERTS])}
    for username, name, organisation, qualifications, occupations, titles, phone in EXPERTS:
        if Expert.objects.filter(phone=phone).exists():
            continue
        user = None
        if username:
            user = user_ensure(username, JUDGE_PASSWORD, report, real_name=name, organisation=organisation)
        Expert.objects.create(
            user=user,
            name=name,
            organisation=organisations.get(organisation),
            qualifications=qualifications_text(qualifications),
            occupations=occupations,
            titles=titles,
            phone=phone,
            email=f"{username or 'expert' + phone[-2:]}@example.com",
            created_by=organiser,
        )
        report.add("专家")
    contest = Contest.objects.filter(slug="2026-national").first()
    if contest is None:
        return
    experts = {e.user.username: e for e in Expert.objects.filter(user__isnull=False).select_related("user")}
    for slug, (chief, others) in ASSIGNMENTS.items():
        track = Track.objects.filter(contest=contest, slug=slug).first()
        if track is None:
            continue
        for username in [chief, *others]:
            services.pool_assign(track=track, expert=experts[username], by=organiser)
        if not TrackJudge.objects.filter(track=track, is_chief=True).exists():
            services.chief_judge_set(track=track, judge=experts[chief].user, by=organiser)
        experts[chief].tracks.add(track)
    report.credentials.append(("评委（专家库）", "judge4 / judge5", JUDGE_PASSWORD))
