"""Read and check the filters of a statistics request (query string → `Query`), before any cell is read.

Unknown parameters or codes, a period reversed or longer than `MAX_MONTHS`, a provider, course,
contest or track the viewer may not see: a `FilterError` with a message for the person who asked (the
views answer 400, or 403 for a figure outside the viewer's scope). Nothing here reads more than one
row per filter given.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import CertificateKind
from contests.models import Contest, Province, Track
from contests.scoring import Award
from courses.models import Course
from organisations.models import Region

from .dimensions import BREAKDOWNS, MAX_MONTHS, METRICS, UNKNOWN_CODE, grain_for
from .permissions import Scope

PARAMS = {"period", "by", "province", "city", "industry", "level", "kind", "provider", "course", "contest", "track"}
INDUSTRY_SECTIONS = "ABCDEFGHIJKLMNOPQRST"
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
YEAR = re.compile(r"^(\d{4})$")


class FilterError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Query:
    start: dt.date
    end: dt.date  # the first day of the last month, inclusive
    by: str = "month"
    filters: dict = field(default_factory=dict)  # dimension → value as stored in a cell

    @property
    def wanted(self) -> set[str]:
        return set(self.filters) | {self.by}

    def months(self) -> list[dt.date]:
        out, month = [], self.start
        while month <= self.end:
            out.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return out


def _month(text: str, *, last: bool) -> dt.date:
    if m := MONTH.match(text):
        year, month = int(m[1]), int(m[2])
    elif m := YEAR.match(text):
        year, month = int(m[1]), 12 if last else 1
    else:
        raise FilterError(_("统计期间格式应为 2026-01..2026-12、2026-03 或 2026"))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise FilterError(_("统计期间的年份或月份无效"))
    return dt.date(year, month, 1)


def parse_period(text: str | None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    if not text:
        return dt.date(today.year, 1, 1), today.replace(day=1)
    first, sep, last = text.partition("..")
    start, end = _month(first.strip(), last=False), _month((last if sep else first).strip(), last=True)
    if start > end:
        raise FilterError(_("统计期间的开始月份晚于结束月份"))
    if (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_MONTHS:
        raise FilterError(_("统计期间最长 %(n)d 个月") % {"n": MAX_MONTHS})
    return start, end


def _positive_int(name: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise FilterError(_("参数 %(name)s 应为正整数") % {"name": name})
    return int(text)


def _city(code: str, province: str | None) -> str:
    """A city filter's code as stored in a cell: a prefecture-level city (4 digits, "3205") or a
    county-level unit that stands in for one in the registry (6 digits: a municipality's district
    "110105", a directly administered city "429004"). Other county codes are not counted separately."""
    if not re.fullmatch(r"\d{4}|\d{6}", code):
        raise FilterError(
            _("城市代码应为 4 位（地市）或 6 位（直辖市的区、省直辖县级市）行政区划代码：%(code)s")
            % {"code": code[:10]}
        )
    if not Region.objects.filter(code=code, level="city").exists():
        if len(code) == 6 and (
            name := Region.objects.filter(code=code[:4], level="city").values_list("name", flat=True).first()
        ):
            raise FilterError(
                _("统计按地市汇总，区县代码 %(code)s 不单独统计；请改用所属地市代码 %(city)s（%(name)s）")
                % {"code": code, "city": code[:4], "name": name}
            )
        if len(code) == 4 and (
            unit := Region.objects.filter(code__startswith=code, level="city").values_list("code", flat=True).first()
        ):
            raise FilterError(
                _("%(code)s 在区划登记中按区县级单位统计，请使用 6 位代码，例如 %(unit)s")
                % {"code": code, "unit": unit}
            )
        raise FilterError(_("未知的城市代码：%(code)s") % {"code": code})
    if province not in (None, code[:2]):
        raise FilterError(_("城市不在所选省份内"))
    return code


def _geo_filters(params, filters: dict) -> None:
    if (province := params.get("province")) is not None:
        if province == UNKNOWN_CODE:
            filters["province"] = ""
        elif province in Province.values:
            filters["province"] = province
        elif re.fullmatch(r"\d{4}|\d{6}", province):
            raise FilterError(_("省份代码为 2 位数字；地市或区县代码请用 city 参数：%(code)s") % {"code": province})
        else:
            raise FilterError(_("未知的省份代码：%(code)s") % {"code": province[:10]})
    if (city := params.get("city")) is not None:
        filters["city"] = "" if city == UNKNOWN_CODE else _city(city, filters.get("province"))
    if (industry := params.get("industry")) is not None:
        if industry == UNKNOWN_CODE:
            filters["industry"] = ""
        elif len(industry) == 1 and industry in INDUSTRY_SECTIONS:
            filters["industry"] = industry
        else:
            raise FilterError(_("未知的行业门类代码：%(code)s") % {"code": industry[:10]})


def _record_filters(params, filters: dict, scope: Scope) -> None:
    if (level := params.get("level")) is not None:
        if level not in {"1", "2", "3", "4", "5"}:
            raise FilterError(_("技能等级应为 1–5"))
        filters["level"] = int(level)
    if (kind := params.get("kind")) is not None:
        if kind not in {*CertificateKind.values, *Award.values}:
            raise FilterError(_("未知的类别：%(code)s") % {"code": kind[:20]})
        filters["kind"] = kind
    if (provider := params.get("provider")) is not None:
        filters["provider"] = _positive_int("provider", provider)
        if scope.kind != "organiser" and filters["provider"] not in scope.provider_ids:
            raise FilterError(_("您无权查看该培训机构的统计"), status=403)
    if (course := params.get("course")) is not None:
        course_id = _positive_int("course", course)
        provider_id = Course.objects.filter(pk=course_id).values_list("provider_id", flat=True).first()
        if provider_id is None:
            raise FilterError(_("课程不存在"), status=404)
        if scope.kind != "organiser" and provider_id not in scope.provider_ids:
            raise FilterError(_("您无权查看该课程的统计"), status=403)
        filters["course"] = course_id
    if (contest := params.get("contest")) is not None:
        filters["contest"] = _positive_int("contest", contest)
        if not Contest.objects.filter(pk=filters["contest"]).exists():
            raise FilterError(_("大赛不存在"), status=404)
    if (track := params.get("track")) is not None:
        track_id = _positive_int("track", track)
        contest_id = Track.objects.filter(pk=track_id).values_list("contest_id", flat=True).first()
        if contest_id is None or filters.get("contest") not in (None, contest_id):
            raise FilterError(_("赛项不存在或不属于所选大赛"), status=404)
        filters["track"] = track_id


def parse_query(params, *, scope: Scope, metric: str | None) -> tuple[Query, str]:
    """(query, grain) for the request's parameters; `metric` None for the overview of every metric."""
    unknown = sorted(set(params) - PARAMS)
    if unknown:
        raise FilterError(_("不支持的参数：%(names)s") % {"names": ", ".join(n[:20] for n in unknown[:5])})
    if any(len(params.getlist(name)) > 1 for name in params):
        raise FilterError(_("每个参数只能出现一次"))
    start, end = parse_period(params.get("period"))
    by = params.get("by") or "month"
    if by not in BREAKDOWNS:
        raise FilterError(_("不支持的分组方式：%(by)s") % {"by": by[:20]})
    filters: dict = {}
    _geo_filters(params, filters)
    _record_filters(params, filters, scope)
    query = Query(start=start, end=end, by=by, filters=filters)
    if metric is not None:
        missing = query.wanted - METRICS[metric].dims - {"month"}
        if missing:
            raise FilterError(_("该指标不能按以下维度统计：%(dims)s") % {"dims": ", ".join(sorted(missing))})
    grain = grain_for(scope_kind=scope.kind, wanted=query.wanted)
    if grain is None:
        raise FilterError(_("您的账号不能按此维度组合查看统计"))
    return query, grain
