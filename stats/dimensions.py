"""The vocabulary of the statistics: metrics, dimensions and grains (no I/O).

A *metric* is what is counted (enrolments, certificates …); a *dimension* is what it is broken down
by (province, industry …); a *grain* is the set of dimensions one family of rollup cells carries.
docs/statistics.md explains each metric.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

UNKNOWN_CODE = "unknown"  # how the 未知 bucket of a region or industry is named in a URL


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    dims: frozenset  # the dimensions this metric carries; a filter on another makes it 不适用
    amount: str = ""  # "seconds" or "hours10" when the cell's amount is a sum
    point_in_time: bool = False  # the period's last month, not a sum over months


GEO = frozenset({"province", "city", "industry", "employer", "month"})
COURSE = GEO | {"level", "provider", "course"}
CONTEST = GEO | {"contest", "track"}

METRICS = {
    m.code: m
    for m in (
        Metric("registered", _("注册学员"), GEO),
        Metric("active", _("近30天活跃学员"), GEO, point_in_time=True),
        Metric("enrolments", _("报名人次"), COURSE),
        Metric("completions", _("结业人次"), COURSE),
        Metric("study", _("有效学习时长"), COURSE, amount="seconds"),
        Metric("credited", _("认定学时"), COURSE, amount="hours10"),
        Metric("certificates", _("证书"), COURSE | CONTEST | {"kind"}),
        Metric("registrations", _("竞赛报名"), CONTEST),
        Metric("participants", _("参赛人次"), CONTEST),
        Metric("awards", _("获奖"), CONTEST | {"kind"}),
    )
}

# The grains and the dimensions their cells carry (month, metric, kind and level are in every grain).
GRAINS = {
    "total": frozenset({"contest", "track"}),
    "all": frozenset({"province", "industry", "contest", "track"}),
    "city": frozenset({"province", "city", "industry"}),
    "course": frozenset({"provider", "course"}),
    "provider": frozenset({"province", "industry", "provider"}),
    "employer": frozenset({"province", "city", "industry", "employer", "contest", "track"}),
}
PROVIDER_GRAINS = frozenset({"course", "provider"})  # only metrics that carry a provider have cells there
EVERY_GRAIN = frozenset({"month", "kind", "level"})

# The database column of each dimension in a cell.
COLUMNS = {
    "month": "month",
    "kind": "kind",
    "level": "level",
    "province": "province",
    "city": "city",
    "industry": "industry",
    "provider": "provider_id",
    "course": "course_id",
    "contest": "contest_id",
    "track": "track_id",
    "employer": "employer_id",
}

# What a table may be broken down by (`by=`), and the drill-down each one leads to.
# A table by these lists its rows in key order (months, codes); by the others, largest count first.
SORTED_BY_KEY = frozenset({"month", "province", "city", "industry", "level", "kind"})
BREAKDOWNS = ("month", "province", "city", "industry", "level", "kind", "provider", "course", "contest", "track")
DRILLDOWN = {"province": "city", "provider": "course", "contest": "track"}

BREAKDOWN_LABELS = {
    "month": _("月份"),
    "province": _("省份"),
    "city": _("城市"),
    "industry": _("行业门类"),
    "level": _("技能等级"),
    "kind": _("类别"),
    "provider": _("培训机构"),
    "course": _("课程"),
    "contest": _("大赛"),
    "track": _("赛项"),
}

LEVEL_LABELS = {1: _("一级"), 2: _("二级"), 3: _("三级"), 4: _("四级"), 5: _("五级"), 0: _("未分级")}

MAX_MONTHS = 60  # the longest period one request may ask for
SMALL_CELL = 5  # a count below this is shown as "<5" outside the organiser's view
MAX_ROWS = 2000  # the most rows one table (JSON or XLSX) returns


def grain_for(*, scope_kind: str, wanted: set[str]) -> str | None:
    """The smallest grain that carries every dimension in `wanted` for this kind of viewer, or None."""
    wanted = set(wanted) - EVERY_GRAIN
    if scope_kind == "manager":
        order = ("employer",)
    elif scope_kind == "provider":
        order = ("course", "provider")
    else:
        order = ("total", "all", "city", "course", "provider", "employer")
    needed = wanted | ({"employer"} if scope_kind == "manager" else set())
    needed |= {"provider"} if scope_kind == "provider" else set()
    for grain in order:
        if needed <= GRAINS[grain]:
            return grain
    return None
