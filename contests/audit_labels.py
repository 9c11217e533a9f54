"""The audit log in words: each action code (`round.start`, `score.submit` …) as a translated
sentence naming who did it and to what, for the organiser's console and the admin.

Every code written by `services.common.audit` (directly or through `rounds.round_transition`) needs
an entry in ACTIONS: tests/contests/test_audit_labels.py finds the codes in the source and fails
for one without a sentence, so no code reaches organisers raw. An unknown code (an old row) is shown
as it is stored.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    Announcement,
    AuditLog,
    Entry,
    Nomination,
    Qualifier,
    Registration,
    ReviewRequest,
    Round,
    Track,
    TrackJudge,
)

# Lines written on a part of a round whose sentence names the round itself (a seat draw, a question of
# its paper): the object is named by the line's round.
NAMED_BY_ROUND = {"seatdraw", "roundquestion"}

# %(actor)s: who; %(object)s: what it was done to; %(duration)s: an extension.
ACTIONS = {
    "registration.approve": gettext_lazy("%(actor)s 通过了 %(object)s 的报名"),
    "registration.reject": gettext_lazy("%(actor)s 拒绝了 %(object)s 的报名"),
    "judge.assign": gettext_lazy("%(actor)s 指派 %(object)s 为评委"),
    "judge.unassign": gettext_lazy("%(actor)s 取消了 %(object)s 的评委指派"),
    "round.open_lobby": gettext_lazy("%(actor)s 开放了 %(object)s 的候场"),
    "round.start": gettext_lazy("%(actor)s 开始了比赛 %(object)s"),
    "round.pause": gettext_lazy("%(actor)s 暂停了比赛 %(object)s"),
    "round.resume": gettext_lazy("%(actor)s 继续了比赛 %(object)s"),
    "round.extend": gettext_lazy("%(actor)s 为 %(object)s 的全体选手延时 %(duration)s"),
    "round.extend_entry": gettext_lazy("%(actor)s 为选手 %(object)s 单独延时 %(duration)s"),
    "round.end": gettext_lazy("%(actor)s 结束了比赛 %(object)s"),
    "round.reveal": gettext_lazy("%(actor)s 揭晓了 %(object)s 的成绩"),
    "round.publish": gettext_lazy("%(actor)s 公布了 %(object)s 的成绩"),
    "round.announce": gettext_lazy("%(actor)s 发布公告：%(object)s"),
    "round.freeze": gettext_lazy("%(actor)s 对 %(object)s 手动封榜"),
    "round.unfreeze": gettext_lazy("%(actor)s 解除了 %(object)s 的手动封榜"),
    "round.edit": gettext_lazy("%(actor)s 修改了场次 %(object)s 的设置"),
    "score.submit": gettext_lazy("%(actor)s 录入了 %(object)s 的评分"),
    "score.confirm": gettext_lazy("%(actor)s 确认了 %(object)s 的评分"),
    "entry.hand_in": gettext_lazy("%(actor)s 提前交卷（%(object)s）"),
    "entry.device_release": gettext_lazy("%(actor)s 解除了 %(object)s 的设备绑定"),
    "paper.add": gettext_lazy("%(actor)s 向 %(object)s 的试卷添加了试题"),
    "paper.change": gettext_lazy("%(actor)s 修改了 %(object)s 试卷中的试题"),
    "paper.remove": gettext_lazy("%(actor)s 从 %(object)s 的试卷移除了试题"),
    "paper.refused": gettext_lazy("%(actor)s 修改 %(object)s 试卷的请求被拒绝"),
    "round.awards_confirm": gettext_lazy("%(actor)s 确认了 %(object)s 的奖项预览"),
    "round.confirm_final": gettext_lazy("%(actor)s 确认了 %(object)s 的最终成绩"),
    "round.final": gettext_lazy("%(actor)s 将 %(object)s 的成绩确认为最终成绩"),
    "review.file": gettext_lazy("%(actor)s 提交了成绩复核申请 %(object)s"),
    "review.refused": gettext_lazy("%(actor)s 对 %(object)s 的成绩复核申请未被受理"),
    "review.upheld": gettext_lazy("%(actor)s 维持了复核申请 %(object)s 的原成绩"),
    "review.changed": gettext_lazy("%(actor)s 根据复核申请 %(object)s 更正了成绩"),
    "score.remark": gettext_lazy("%(actor)s 复核后重新评定了 %(object)s 的实操成绩"),
    "score.regrade": gettext_lazy("%(actor)s 复核后重新评定了 %(object)s 的理论成绩"),
    "score.recused": gettext_lazy("评委 %(actor)s 因回避不能为 %(object)s 评分"),
    "judge.chief": gettext_lazy("%(actor)s 指定 %(object)s 为裁判长"),
    "judge.chief_clear": gettext_lazy("%(actor)s 取消了 %(object)s 的裁判长职务"),
    "judge.refused": gettext_lazy("评委 %(actor)s 对 %(object)s 的请求被拒绝"),
    "entry.check_in": gettext_lazy("%(actor)s 为 %(object)s 办理了检录"),
    "entry.check_in_undo": gettext_lazy("%(actor)s 撤销了 %(object)s 的检录"),
    "seats.commit": gettext_lazy("%(actor)s 公布了 %(object)s 抽签种子的承诺值"),
    "seats.draw": gettext_lazy("%(actor)s 为 %(object)s 抽签确定了座位号"),
    "assessment.certificates": gettext_lazy("%(actor)s 为 %(object)s 认定合格的人员批量颁发职业技能等级证书"),
    "assessment.export": gettext_lazy("%(actor)s 导出了 %(object)s 的认定结果备案表"),
    "registrations.bulk_approve": gettext_lazy("%(actor)s 批量通过了赛项 %(object)s 的报名"),
    "registrations.bulk_reject": gettext_lazy("%(actor)s 批量拒绝了赛项 %(object)s 的报名"),
    "registrations.import": gettext_lazy("%(actor)s 向赛项 %(object)s 导入了报名名单"),
    "track.eligibility": gettext_lazy("%(actor)s 修改了赛项 %(object)s 的参赛条件"),
    # advancement and qualifier nominations (contests.services.advancement, .nominations)
    "round.advance": gettext_lazy("%(actor)s 确认了晋级 %(object)s 的名单"),
    "qualifier.declare": gettext_lazy("%(actor)s 设置了选拔推荐：%(object)s"),
    "nomination.create": gettext_lazy("%(actor)s 推荐了 %(object)s"),
    "nomination.register": gettext_lazy("%(actor)s 按推荐报名：%(object)s"),
    "nomination.accept": gettext_lazy("%(actor)s 接受了推荐 %(object)s"),
    "nomination.return": gettext_lazy("%(actor)s 退回了推荐 %(object)s"),
}


def action_label(code: str) -> str:
    """The sentence of a code with its placeholders, or the code itself when it has none."""
    return str(ACTIONS.get(code, code))


def _duration(seconds) -> str:
    if not isinstance(seconds, int):
        return ""
    if seconds % 60 == 0:
        return _("%(n)s 分钟") % {"n": seconds // 60}
    return _("%(n)s 秒") % {"n": seconds}


def _names(logs: list[AuditLog]) -> dict[tuple[str, int], str]:
    """(object type, id) → how the object is named: a few queries for the whole list, by type."""
    ids: dict[str, set[int]] = defaultdict(set)
    for log in logs:
        if log.object_id is not None:
            ids[log.object_type].add(log.object_id)
        entry_id = log.data.get("entry") if isinstance(log.data, dict) else None
        if log.object_type == "judgescore" and isinstance(entry_id, int):
            ids["entry"].add(entry_id)
        judge_id = log.data.get("judge") if isinstance(log.data, dict) else None
        if log.object_type == "trackjudge" and isinstance(judge_id, int):
            ids["user"].add(judge_id)
        if log.object_type in NAMED_BY_ROUND and log.round_id is not None:
            ids["round"].add(log.round_id)
    names: dict[tuple[str, int], str] = {}
    for rnd in Round.objects.filter(pk__in=ids["round"]).select_related("track"):
        names["round", rnd.pk] = str(rnd)
    for reg in Registration.objects.filter(pk__in=ids["registration"]).select_related("user"):
        names["registration", reg.pk] = reg.display_name
    for pk, name in Entry.objects.filter(pk__in=ids["entry"]).values_list("pk", "board_row__name"):
        names["entry", pk] = name or f"#{pk}"
    reviews = ReviewRequest.objects.filter(pk__in=ids["reviewrequest"]).select_related("task")
    for review in reviews.annotate(entry_name=F("entry__board_row__name")):
        names["reviewrequest", review.pk] = f"{review.entry_name or f'#{review.entry_id}'}·{review.subject}"
    for note in Announcement.objects.filter(pk__in=ids["announcement"]):
        names["announcement", note.pk] = note.text[:60]
    for assignment in TrackJudge.objects.filter(pk__in=ids["trackjudge"]).select_related("judge", "track"):
        names["trackjudge", assignment.pk] = f"{assignment.judge.display_name}（{assignment.track.name}）"
    for pk, name in Track.objects.filter(pk__in=ids["track"]).values_list("pk", "name"):
        names["track", pk] = name
    for qualifier in Qualifier.objects.filter(pk__in=ids["qualifier"]).select_related("source_track", "target_track"):
        names["qualifier", qualifier.pk] = f"{qualifier.source_track.name} → {qualifier.target_track.name}"
    for nomination in Nomination.objects.filter(pk__in=ids["nomination"]).select_related("user", "target_track"):
        names["nomination", nomination.pk] = f"{nomination.user.display_name} → {nomination.target_track.name}"
    for user in get_user_model().objects.filter(pk__in=ids["user"]):
        names["user", user.pk] = user.display_name
    return names


def _object(log: AuditLog, names: dict) -> str:
    data = log.data if isinstance(log.data, dict) else {}
    if log.object_type == "judgescore":
        entry = data.get("entry")
        return names.get(("entry", entry), f"#{entry}") if entry else f"#{log.object_id}"
    if log.object_type == "trackjudge" and ("trackjudge", log.object_id) not in names:
        return names.get(("user", data.get("judge")), f"#{log.object_id}")  # the assignment was removed
    if log.object_type in NAMED_BY_ROUND and log.round_id is not None:
        return names.get(("round", log.round_id), f"#{log.round_id}")
    return names.get((log.object_type, log.object_id), f"{log.object_type} #{log.object_id}")


def describe(logs) -> list[tuple[AuditLog, str]]:
    """Each log line with its sentence, e.g. “组委会 开始了比赛 工业互联网安全 预赛”."""
    logs = list(logs)
    names = _names(logs)
    out = []
    for log in logs:
        data = log.data if isinstance(log.data, dict) else {}
        if log.actor_id is None:
            actor = _("系统（计时结束）") if data.get("by_clock") else _("系统")
        else:
            actor = log.actor.display_name
        template = ACTIONS.get(log.action)
        if template is None:
            out.append((log, f"{actor} {log.action}"))
            continue
        values = {"actor": actor, "object": _object(log, names), "duration": _duration(data.get("seconds"))}
        out.append((log, str(template) % values))
    return out
