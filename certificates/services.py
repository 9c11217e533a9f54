"""Every write on certificates: issue (completion, skill level, award, study hours, training, path), revoke, re-render,
and the organisers' layouts (save, reset); bulk jobs are in jobs.py.

Issuing takes a serial in a short transaction and signs the credential, renders the PDF outside any
transaction (so workers do not hold the database's write lock while WeasyPrint works), then stores
the file and inserts the row; a bulk batch (`issue_many`) takes its serials in one transaction and
inserts its rows in one. If anything fails — a missing glyph, a duplicate — the file is removed,
the serial is handed back when nobody took a later one, and no certificate exists. A certificate is
never deleted: revoking sets its status.
"""

import datetime as dt
import hashlib
import json
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.identity import identity_labels, identity_missing
from accounts.roles import is_organiser
from courses import paths as course_paths
from courses.messages import Message
from courses.models import Enrolment, SkillLevel
from notifications.models import NotificationKind
from notifications.services import notify_on_commit

from . import credentials, holds, numbers, pdf, snapshots, study_hours
from .models import Certificate, CertificateKind, CertificateStatus, CertificateTemplate
from .templating import LayoutError, layout_check, layout_for

log = logging.getLogger(__name__)
BATCH = 20  # certificates laid out together by a bulk job (pdf.render_many)
ISSUED = {
    CertificateKind.COMPLETION: gettext_noop("您的结业证书已颁发"),
    CertificateKind.SKILL_LEVEL: gettext_noop("您的职业技能等级证书已颁发"),
    CertificateKind.AWARD: gettext_noop("您的获奖证书已颁发"),
}  # what the holder is told (notifications); a 学时证明 is not announced


def verify_url(code: str) -> str:
    return f"{settings.CERTIFICATE_BASE_URL.rstrip('/')}/verify/{code}/"


def _require_organiser(user) -> None:
    if not is_organiser(user):
        raise PermissionDenied(_("只有组织者可以进行此操作"))


@dataclass
class _Pending:
    """A certificate being issued: serial taken, credential signed, not yet rendered or stored."""

    snapshot: dict
    holder: object
    fields: dict = field(default_factory=dict)
    number: str = ""
    code: str = ""
    year: int = 0
    serial: int = 0
    credential: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.snapshot["kind"]

    def context(self) -> dict:
        return snapshots.layout_context(
            self.snapshot, number=self.number, code=self.code, verify_url=verify_url(self.code)
        )

    def attachments(self) -> list:
        text = json.dumps(self.credential, ensure_ascii=False, indent=2)
        return [("credential.json", "Open Badges 3.0 凭证（已签名）", text)]


def _prepare(snapshot: dict, holder, *, serial: int, **fields) -> _Pending:
    """Number the certificate with a serial already taken, and sign its credential."""
    issued_at = fields.setdefault("issued_at", timezone.now())
    pending = _Pending(snapshot=snapshot, holder=holder, fields=fields)
    pending.year = timezone.localtime(issued_at).year
    pending.serial = serial
    pending.number = numbers.number_format(
        kind=pending.kind, year=pending.year, level=snapshots.level_digit(snapshot), serial=pending.serial
    )
    pending.code = numbers.code_new()
    unsigned = credentials.credential_build(
        snapshot=snapshot,
        code=pending.code,
        number=pending.number,
        issued_at=issued_at,
        expires_at=fields.get("expires_at"),
        base_url=settings.CERTIFICATE_BASE_URL,
    )
    pending.credential = credentials.sign(unsigned)
    return pending


def _row(pending: _Pending, stored: str, data: bytes, layout) -> Certificate:
    return Certificate(
        kind=pending.kind,
        number=pending.number,
        code=pending.code,
        holder=pending.holder,
        snapshot=pending.snapshot,
        pdf=stored,
        pdf_sha256=hashlib.sha256(data).hexdigest(),
        credential=pending.credential,
        template_version=layout.version,
        rendered_at=timezone.now(),
        **pending.fields,
    )


def _announce(certificates: list[Certificate]) -> None:
    """Tell the holders once the rows are committed (证书已颁发): one notification each, one `notify`
    per kind and achievement, so a bulk batch costs a few inserts and tasks, not one per holder.
    Not for a 学时证明: its holder asked for it and has it on the screen."""
    holders = defaultdict(list)
    for certificate in certificates:
        if certificate.kind in ISSUED:
            holders[(certificate.kind, certificate.snapshot.get("achievement", ""))].append(certificate.holder_id)
    try:
        for (kind, achievement), ids in holders.items():
            notify_on_commit(
                recipients=ids,
                kind=NotificationKind.CERTIFICATE_ISSUED,
                title=Message(ISSUED[kind]),
                body=achievement,
                url=reverse("certificates:mine"),
            )
    except Exception:  # a notification never costs the certificate
        log.exception("证书颁发通知未能登记")


def _save_file(pending: _Pending, data: bytes) -> str:
    return default_storage.save(f"certificates/{pending.year}/{pending.code}.pdf", ContentFile(data))


def _store(pending: _Pending, data: bytes, layout) -> Certificate:
    stored = _save_file(pending, data)
    try:
        with transaction.atomic():
            certificate = _row(pending, stored, data, layout)
            certificate.save(force_insert=True)
            _announce([certificate])
            return certificate
    except BaseException:
        default_storage.delete(stored)
        raise


def _store_many(ready: list[tuple[_Pending, bytes]], layout) -> list[Certificate | Exception]:
    """Store the files, then insert the rows in one transaction. If that fails (another worker issued
    one of them meanwhile), insert them one by one, so only the offending ones fail."""
    stored: list[tuple[_Pending, bytes, str]] = []
    results: list[Certificate | Exception] = []
    for pending, data in ready:
        try:
            stored.append((pending, data, _save_file(pending, data)))
            results.append(None)
        except Exception as exc:  # noqa: BLE001 - reported per item
            results.append(exc)
    if not stored:
        return results
    try:
        with transaction.atomic():
            rows = Certificate.objects.bulk_create([_row(p, name, data, layout) for p, data, name in stored])
            _announce(rows)
    except IntegrityError:
        rows = []
        for pending, data, name in stored:
            try:
                with transaction.atomic():
                    row = _row(pending, name, data, layout)
                    row.save(force_insert=True)
                    _announce([row])
                rows.append(row)
            except Exception as exc:  # noqa: BLE001 - reported per item
                default_storage.delete(name)
                rows.append(exc)
    except BaseException:
        for _pending, _data, name in stored:
            default_storage.delete(name)
        raise
    rows_iter = iter(rows)
    return [next(rows_iter) if result is None else result for result in results]


def _issue(snapshot: dict, holder, **fields) -> Certificate:
    kind = snapshot["kind"]
    year = timezone.localtime(fields.setdefault("issued_at", timezone.now())).year
    serial = numbers.serial_next(kind=kind, year=year)
    try:
        pending = _prepare(snapshot, holder, serial=serial, **fields)
        layout = layout_for(pending.kind)
        data = pdf.render_one(layout, pending.context(), pending.attachments())
        return _store(pending, data, layout)
    except BaseException:
        numbers.serial_release(kind=kind, year=year, taken_up_to=serial, used_up_to=serial - 1)
        raise


def issue_many(items: list[tuple[dict, object, dict]]) -> list[Certificate | Exception]:
    """Issue several certificates of one kind, rendered together; one result (or error) per item.

    The batch takes its serials in one transaction, lays its certificates out as one document and
    inserts its rows in one transaction. An item that fails before rendering leaves its serial to
    the next item; serials left unused at the end of the batch are given back when nobody has taken
    a later one, as a single issuance does.
    """
    if not items:
        return []
    layout = layout_for(items[0][0]["kind"])
    now = timezone.now()
    items = [(snapshot, holder, {"issued_at": now, **fields}) for snapshot, holder, fields in items]
    keys = [(snapshot["kind"], timezone.localtime(fields["issued_at"]).year) for snapshot, _h, fields in items]
    taken: dict[tuple[str, int], tuple[int, int]] = {}  # (kind, year) → first and last serial taken
    for (kind, year), count in Counter(keys).items():
        first = numbers.serial_block(kind=kind, year=year, count=count)
        taken[(kind, year)] = (first, first + count - 1)
    used = {key: first - 1 for key, (first, _last) in taken.items()}  # the last serial used so far
    try:
        pendings: list[_Pending | Exception] = []
        for (snapshot, holder, fields), key in zip(items, keys, strict=True):
            try:
                pendings.append(_prepare(snapshot, holder, serial=used[key] + 1, **fields))
                used[key] += 1
            except Exception as exc:  # noqa: BLE001 - reported per item; the next item takes the serial
                pendings.append(exc)
        ready = [p for p in pendings if isinstance(p, _Pending)]
        rendered = (
            pdf.render_many(layout, [p.context() for p in ready], [p.attachments() for p in ready]) if ready else []
        )
        outcome = {id(p): data for p, data in zip(ready, rendered, strict=True) if isinstance(data, Exception)}
        good = [(p, data) for p, data in zip(ready, rendered, strict=True) if not isinstance(data, Exception)]
        outcome.update(zip((id(p) for p, _data in good), _store_many(good, layout), strict=True))
    except Exception:
        for (kind, year), (first, last) in taken.items():  # nothing of this batch was stored
            numbers.serial_release(kind=kind, year=year, taken_up_to=last, used_up_to=first - 1)
        raise
    results = [p if isinstance(p, Exception) else outcome[id(p)] for p in pendings]
    stored = {key: first - 1 for key, (first, _last) in taken.items()}
    for pending, result in zip(pendings, results, strict=True):
        if isinstance(result, Certificate):
            key = (pending.kind, pending.year)
            stored[key] = max(stored[key], pending.serial)
    for (kind, year), (_first, last) in taken.items():
        numbers.serial_release(kind=kind, year=year, taken_up_to=last, used_up_to=stored[(kind, year)])
    return results


# ------------------------------------------------------------------ the three kinds


def certificate_issue_completion(*, enrolment: Enrolment) -> Certificate | None:
    """The completion certificate of a completed enrolment; idempotent (one per enrolment).

    None when the enrolment is not completed, or when the course or the site requires the holder's
    identity and the profile lacks it: the certificate then waits in 信息待补充 (holds.py)."""
    enrolment = Enrolment.objects.select_related("course__provider", "learner").get(pk=enrolment.pk)
    if not enrolment.completed_at:
        return None
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing:
        holds.hold_clear(enrolment=enrolment)
        return existing
    missing = holds.completion_missing(enrolment)
    if missing:
        holds.hold_record(enrolment=enrolment, missing=missing)
        return None
    snapshot = snapshots.completion(enrolment, issued_at=timezone.now())
    try:
        certificate = _issue(snapshot, enrolment.learner, course=enrolment.course, enrolment=enrolment)
    except IntegrityError:
        # Issued meanwhile by another worker: the unique enrolment kept it to one.
        return Certificate.objects.filter(enrolment=enrolment).first()
    holds.hold_clear(enrolment=enrolment)
    return certificate


def skill_level_item(*, holder, level: int, occupation: str, issued_by, expires_at=None, source: str = ""):
    """Check one skill-level request and return (snapshot, holder, fields) for issuing."""
    occupation = (occupation or "").strip()
    if int(level) not in {choice.value for choice in SkillLevel} - {SkillLevel.ANY}:
        raise ValidationError(_("技能等级应为 1–5 级"))
    if not occupation or len(occupation) > 40:
        raise ValidationError(_("请填写职业（工种），不超过 40 个字"))
    issued_at = timezone.now()
    snapshot = snapshots.skill_level(
        holder, level=int(level), occupation=occupation, issued_at=issued_at, expires_at=expires_at
    )
    fields = {"issued_by": issued_by, "expires_at": expires_at, "issued_at": issued_at, "source": source}
    return snapshot, holder, fields


def certificate_issue_skill_level(
    *, holder, level: int, occupation: str, issued_by, expires_at=None, source: str = ""
) -> Certificate:
    """One 职业技能等级证书, issued by an organiser."""
    _require_organiser(issued_by)
    snapshot, holder, fields = skill_level_item(
        holder=holder, level=level, occupation=occupation, issued_by=issued_by, expires_at=expires_at, source=source
    )
    try:
        return _issue(snapshot, holder, **fields)
    except IntegrityError:
        raise ValidationError(_("该持证人已有来自同一来源的证书")) from None


def award_item(row: snapshots.AwardWinner, *, issued_by):
    source = f"round:{row.round_id}"
    snapshot = snapshots.award(row, issued_at=timezone.now())
    return snapshot, row.user, {"issued_by": issued_by, "source": source}


def certificate_issue_award(*, row: snapshots.AwardWinner, issued_by) -> tuple[Certificate, bool]:
    """The award certificate of one winner of a round: (certificate, created). Idempotent per round."""
    _require_organiser(issued_by)
    existing = Certificate.objects.filter(holder=row.user, source=f"round:{row.round_id}").first()
    if existing:
        return existing, False
    snapshot, holder, fields = award_item(row, issued_by=issued_by)
    try:
        return _issue(snapshot, holder, **fields), True
    except IntegrityError:
        return Certificate.objects.get(holder=row.user, source=fields["source"]), False


def certificate_issue_study_hours(*, holder, start: dt.date, end: dt.date) -> tuple[Certificate, bool]:
    """A 学时证明 of the holder's credited courses in a period: (certificate, created).

    Idempotent per holder, period and credits (study_hours.py): the same request returns the
    certificate already issued; new credits in the period make a new one. Refused for a period that
    breaks the rules, one without credits, a holder whose identity a listed course (or the site)
    requires and the profile lacks, and past STUDY_HOURS_PER_DAY new ones a day."""
    study_hours.period_check(start, end)
    rows = study_hours.credited_rows(holder, start, end)
    if not rows:
        raise ValidationError(_("所选期间内没有已认定学时的课程，无法开具学时证明"))
    if any(holds.identity_required(row.course) for row in rows) and (missing := identity_missing(holder)):
        labels = "、".join(identity_labels(missing))
        raise ValidationError(_("请先在个人资料中补充：%(items)s，再申请学时证明") % {"items": labels})
    source = study_hours.source_for(start, end, rows)
    existing = Certificate.objects.filter(holder=holder, source=source).first()
    if existing:
        return existing, False
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    issued_today = Certificate.objects.filter(
        holder=holder, kind=CertificateKind.STUDY_HOURS, issued_at__gte=midnight
    ).count()
    if issued_today >= settings.STUDY_HOURS_PER_DAY:
        raise ValidationError(_("您今天申请的学时证明已达上限，请明天再试"))
    snapshot = snapshots.study_hours(holder, start=start, end=end, rows=rows, issued_at=now)
    try:
        return _issue(snapshot, holder, source=source, issued_at=now), True
    except IntegrityError:  # the same request, issued meanwhile
        return Certificate.objects.get(holder=holder, source=source), False


def certificate_issue_path(*, learner, page) -> Certificate | None:
    """The 专题结业证书 of a learning path (courses.LearningPathPage) whose required courses the learner
    has all completed; idempotent: one per learner and path (`source` path:<page id>), whatever
    happens to the path afterwards.

    None when the path is not live, not complete for the learner, or when the site or one of its
    courses requires the holder's identity and the profile lacks it (the owed sweeper and a saved
    profile try again, certificates/paths.py)."""
    source = course_paths.certificate_source(page.pk)
    existing = Certificate.objects.filter(holder=learner, source=source).first()
    if existing:
        return existing
    if not page.live:
        return None
    progress = course_paths.path_progress(page=page, learner=learner)
    if not progress.complete:
        return None
    if progress.identity_required and identity_missing(learner):
        return None
    now = timezone.now()
    snapshot = snapshots.path(
        learner,
        page_id=page.pk,
        title=page.title,
        theme=page.theme,
        steps=progress.steps,
        completed_at=progress.completed_at,
        issued_at=now,
    )
    try:
        return _issue(snapshot, learner, source=source, issued_at=now)
    except IntegrityError:  # issued meanwhile by another worker
        return Certificate.objects.filter(holder=learner, source=source).first()


# ------------------------------------------------------------------ after issuance


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, by) -> Certificate:
    """Mark a certificate revoked, with reason, time and who; it stays verifiable as revoked."""
    _require_organiser(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写撤销原因"))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == CertificateStatus.REVOKED:
        raise ValidationError(_("该证书已经撤销"))
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = by
    certificate.revoke_reason = reason[:300]
    certificate.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
    return certificate


def certificate_rerender(*, certificate: Certificate, by=None) -> Certificate:
    """Render the PDF again from the frozen snapshot with the current layout (data and signature unchanged)."""
    if by is not None:
        _require_organiser(by)
    layout = layout_for(certificate.kind)
    pending = _Pending(snapshot=certificate.snapshot, holder=certificate.holder)
    pending.number, pending.code, pending.credential = certificate.number, certificate.code, certificate.credential
    data = pdf.render_one(layout, pending.context(), pending.attachments())
    year = timezone.localtime(certificate.issued_at).year
    old = certificate.pdf.name
    stored = default_storage.save(f"certificates/{year}/{certificate.code}.pdf", ContentFile(data))
    certificate.pdf = stored
    certificate.pdf_sha256 = hashlib.sha256(data).hexdigest()
    certificate.template_version = layout.version
    certificate.rendered_at = timezone.now()
    certificate.save(update_fields=["pdf", "pdf_sha256", "template_version", "rendered_at"])
    if old and old != stored:
        default_storage.delete(old)
    return certificate


def certificate_issue_training(
    *, holder, holder_name: str, id_number: str, programme: dict, source: str
) -> tuple[Certificate, bool]:
    """A 培训合格证书: (certificate, created). Idempotent per holder and `source` (the training app
    passes `training:<class id>`), so a sweeper and a manager's button cannot issue it twice.
    `programme` is plain data (snapshots.training); the caller decides who passed."""
    existing = Certificate.objects.filter(holder=holder, source=source).first()
    if existing:
        return existing, False
    now = timezone.now()
    snapshot = snapshots.training(holder_name=holder_name, id_number=id_number, programme=programme, issued_at=now)
    try:
        return _issue(snapshot, holder, source=source, issued_at=now), True
    except IntegrityError:  # issued meanwhile by another worker
        return Certificate.objects.get(holder=holder, source=source), False


# ------------------------------------------------------------------ layouts


def _require_kind(kind: str) -> None:
    if kind not in CertificateKind.values:
        raise ValidationError(_("未知的证书类型"))


@transaction.atomic
def certificate_template_save(*, kind: str, html: str, css: str, by) -> CertificateTemplate:
    """Save an organiser's layout of a kind as its next version. Certificates issued from now on use
    it; those issued before keep their PDF until someone re-renders them."""
    _require_organiser(by)
    _require_kind(kind)
    try:
        layout_check(html, css)
    except LayoutError as exc:
        raise ValidationError(str(exc)) from None
    template, created = CertificateTemplate.objects.select_for_update().get_or_create(
        kind=kind, defaults={"html": html, "css": css, "updated_by": by}
    )
    if not created:
        template.html, template.css = html, css
        template.version += 1
        template.updated_by = by
        template.save()
    log.info("证书模板已保存：%s 第 %s 版（%s）", kind, template.version, by)
    return template


@transaction.atomic
def certificate_template_reset(*, kind: str, by) -> bool:
    """Go back to the built-in layout of a kind (version 0); False when none was saved."""
    _require_organiser(by)
    _require_kind(kind)
    deleted, _rows = CertificateTemplate.objects.filter(kind=kind).delete()
    if deleted:
        log.info("证书模板已恢复默认：%s（%s）", kind, by)
    return bool(deleted)
