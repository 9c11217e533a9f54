"""Writes of a skill-level assessment (职业技能等级认定, docs/assessment.md) beyond what a round already
does: issuing the skill-level certificates of those who passed, and the audit line of a results file
downloaded for filing. Everything else (papers, judging, recusal, the 公示 and review, finalisation)
is the round's own machinery, unchanged.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Round
from .common import audit, require_organiser


@transaction.atomic
def assessment_certificates_issue(*, round: Round, by, now: dt.datetime | None = None):
    """The organiser issues, in one background job, a skill-level certificate to every candidate who
    passed the FINAL round (certificates.jobs); running it again skips those issued. Audited
    (`assessment.certificates`, with the number of candidates)."""
    from certificates import jobs  # certificates builds on contests: imported when used

    require_organiser(by)
    rnd = Round.objects.select_related("track__contest").get(pk=round.pk)
    if not rnd.track.is_assessment:
        raise ValidationError(_("该场次不是职业技能等级认定，不能按认定结果颁发等级证书"))
    job = jobs.job_create_skill_levels_from_assessment(rnd=rnd, issued_by=by)
    audit(
        actor=by,
        action="assessment.certificates",
        obj=rnd,
        now=now or timezone.now(),
        rnd=rnd,
        job=job.pk,
        candidates=job.total,
    )
    return job


@transaction.atomic
def assessment_export_record(*, round: Round, by, file_format: str, full_ids: bool, now=None) -> None:
    """An organiser downloaded the results file (full ID numbers or masked): audited
    (`assessment.export`), since the file carries personal data."""
    require_organiser(by)
    audit(
        actor=by,
        action="assessment.export",
        obj=round,
        now=now or timezone.now(),
        rnd=round,
        format=file_format,
        full_ids=full_ids,
    )
