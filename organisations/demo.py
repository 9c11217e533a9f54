"""Demo registry: enterprises, schools, a public body and a contest organiser with credit codes whose
check characters are right, an enterprise's manager, a worker who declared it, and a proposal waiting
for review. Keyed on names and user names: a second run creates nothing (and takes a few queries)."""

from accounts.demo import Report, user_ensure

from . import creditcode, services
from .models import Employment, Industry, Organisation, Region

DEMO_PASSWORD = "Qiye-2026"  # noqa: S105 - published demo credentials

# (kind, name, short name, first 17 characters of the credit code or "", region code, industry division, size)
ORGANISATIONS = [
    ("employer", "苏州精工智能装备有限公司", "精工智能", "91320505MA1N7K2Q3", "3205", "35", "medium"),
    ("employer", "无锡新材料科技股份有限公司", "无锡新材", "91320214MA1P8H3L5", "3202", "30", "large"),
    ("employer", "杭州云帆软件技术有限公司", "云帆软件", "91330106MA2CFK4X6", "3301", "65", "small"),
    ("employer", "深圳智造电子有限公司", "智造电子", "91440300MA5DRU7P8", "4403", "39", "large"),
    ("employer", "成都蓉城建设工程有限公司", "蓉城建设", "91510107MA6CN2W41", "5101", "48", "medium"),
    ("school", "南京工业职业技术大学", "南工职大", "12320000466007258", "3201", "83", ""),
    ("school", "深圳职业技术大学", "深职大", "", "4403", "83", ""),
    ("public_body", "江苏省人力资源和社会保障厅", "江苏人社厅", "11320000014000631", "32", "92", ""),
    ("contest_organiser", "全国工业和信息化技术技能大赛组委会", "大赛组委会", "", "110102", "92", ""),
]
PROPOSAL = ("employer", "常州恒润精密机械有限公司", "91320411MA1T6R8B2", "3204", "34")


def organisations_demo_seed(report: Report) -> None:
    if not Region.objects.exists():  # the data migration loads them; a flushed database lacks them
        from .reference import reference_load

        reference_load(Region, Industry)
    existing = set(Organisation.objects.values_list("name", flat=True))
    for kind, name, short, code17, region, industry, size in ORGANISATIONS:
        if name in existing:
            continue
        place = Region.objects.get(pk=region)
        services.organisation_create(
            kind=kind,
            name=name,
            short_name=short,
            credit_code=creditcode.complete(code17) if code17 else "",
            city=place if place.level == Region.Level.CITY else None,
            province=place if place.level == Region.Level.PROVINCE else None,
            industry=Industry.objects.get(pk=industry),
            size_class=size,
        )
        report.add("单位")
    enterprise = Organisation.objects.get(name=ORGANISATIONS[0][1])
    manager = user_ensure("qiye_hr", DEMO_PASSWORD, report, real_name="周敏", organisation=enterprise.name)
    services.membership_add(organisation=enterprise, user=manager)
    worker = user_ensure("qiye_worker", DEMO_PASSWORD, report, real_name="陈刚", organisation=enterprise.name)
    if not Employment.objects.filter(user=worker).exists():
        services.employment_declare(user=worker, organisation=enterprise)
    proposer = user_ensure("qiye_new", DEMO_PASSWORD, report, real_name="吴磊")
    kind, name, code17, region, industry = PROPOSAL
    if not Organisation.objects.filter(name=name).exists():
        services.organisation_propose(
            user=proposer,
            kind=kind,
            name=name,
            credit_code=creditcode.complete(code17),
            city=Region.objects.get(pk=region),
            industry=Industry.objects.get(pk=industry),
            size_class="small",
        )
        report.add("待审核单位")
    report.credentials.append(("单位管理员 · 精工智能", "qiye_hr", DEMO_PASSWORD))
    report.credentials.append(("企业职工 / 提交新单位的学员", "qiye_worker / qiye_new", DEMO_PASSWORD))
