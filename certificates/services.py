"""Every write on certificates: issue (completion, skill level, award), revoke, re-render, bulk jobs.

Issuing takes a serial in a short transaction and signs the credential, renders the PDF outside any
transaction (so workers do not hold the database's write lock while WeasyPrint works), then stores
the file and inserts the row. If anything fails — a missing glyph, a duplicate — the file is
removed, the serial is handed back when nobody took a later one, and no certificate exists. A
certificate is never deleted: revoking sets its status.
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_organiser
from courses.models import Enrolment, SkillLevel

from . import credentials, numbers, pdf, snapshots
from .models import Certificate, CertificateStatus, NumberSequence
from .templating import layout_for

log = logging.getLogger(__name__)
BATCH = 20  # certificates laid out together by a bulk job (pdf.render_many)


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


def _prepare(snapshot: dict, holder, **fields) -> _Pending:
    issued_at = fields.setdefault("issued_at", timezone.now())
    pending = _Pending(snapshot=snapshot, holder=holder, fields=fields)
    pending.year = timezone.localtime(issued_at).year
    pending.serial = numbers.serial_next(kind=pending.kind, year=pending.year)
    pending.number = numbers.number_format(
        kind=pending.kind, year=pending.year, level=snapshots.level_digit(snapshot), serial=pending.serial
    )
    pending.code = numbers.code_new()
    try:
        unsigned = credentials.credential_build(
            snapshot=snapshot,
            code=pending.code,
            number=pending.number,
            issued_at=issued_at,
            expires_at=fields.get("expires_at"),
            base_url=settings.CERTIFICATE_BASE_URL,
        )
        pending.credential = credentials.sign(unsigned)
    except BaseException:
        _abandon(pending)
        raise
    return pending


def _abandon(pending: _Pending) -> None:
    """Give the serial back if it is still the last one taken (no gap after a failed issuance)."""
    NumberSequence.objects.filter(kind=pending.kind, year=pending.year, last=pending.serial).update(
        last=pending.serial - 1
    )


def _store(pending: _Pending, data: bytes, layout) -> Certificate:
    stored = default_storage.save(f"certificates/{pending.year}/{pending.code}.pdf", ContentFile(data))
    try:
        with transaction.atomic():
            return Certificate.objects.create(
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
    except BaseException:
        default_storage.delete(stored)
        raise


def _issue(snapshot: dict, holder, **fields) -> Certificate:
    pending = _prepare(snapshot, holder, **fields)
    try:
        layout = layout_for(pending.kind)
        data = pdf.render_one(layout, pending.context(), pending.attachments())
        return _store(pending, data, layout)
    except BaseException:
        _abandon(pending)
        raise


def issue_many(items: list[tuple[dict, object, dict]]) -> list[Certificate | Exception]:
    """Issue several certificates of one kind, rendered together; one result (or error) per item."""
    if not items:
        return []
    layout = layout_for(items[0][0]["kind"])
    pendings: list[_Pending | Exception] = []
    for snapshot, holder, fields in items:
        try:
            pendings.append(_prepare(snapshot, holder, **fields))
        except Exception as exc:  # noqa: BLE001 - reported per item
            pendings.append(exc)
    ready = [p for p in pendings if isinstance(p, _Pending)]
    rendered = dict(
        zip(
            (id(p) for p in ready),
            pdf.render_many(layout, [p.context() for p in ready], [p.attachments() for p in ready]) if ready else [],
            strict=True,
        )
    )
    results: list[Certificate | Exception] = []
    for pending in pendings:
        if isinstance(pending, Exception):
            results.append(pending)
            continue
        data = rendered[id(pending)]
        try:
            if isinstance(data, Exception):
                raise data
            results.append(_store(pending, data, layout))
        except Exception as exc:  # noqa: BLE001 - reported per item
            results.append(exc)
    for pending, result in reversed(list(zip(pendings, results, strict=True))):
        if isinstance(pending, _Pending) and isinstance(result, Exception):
            _abandon(pending)
    return results


# ------------------------------------------------------------------ the three kinds


def certificate_issue_completion(*, enrolment: Enrolment) -> Certificate | None:
    """The completion certificate of a completed enrolment; idempotent (one per enrolment)."""
    enrolment = Enrolment.objects.select_related("course__provider", "learner").get(pk=enrolment.pk)
    if not enrolment.completed_at:
        return None
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing:
        return existing
    snapshot = snapshots.completion(enrolment, issued_at=timezone.now())
    try:
        return _issue(snapshot, enrolment.learner, course=enrolment.course, enrolment=enrolment)
    except IntegrityError:
        # Issued meanwhile by another worker: the unique enrolment kept it to one.
        return Certificate.objects.filter(enrolment=enrolment).first()


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


def award_item(row: snapshots.AwardRow, *, issued_by):
    source = f"round:{row.round_id}"
    snapshot = snapshots.award(row, issued_at=timezone.now())
    return snapshot, row.user, {"issued_by": issued_by, "source": source}


def certificate_issue_award(*, row: snapshots.AwardRow, issued_by) -> tuple[Certificate, bool]:
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
