"""Every write of the registry: creating and proposing organisations, reviewing proposals, a user's
declared employer, managers, and the link a provider gets."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import can_manage_organisation, is_organiser

from . import creditcode, names
from .models import (
    CREDIT_CODE_REQUIRED,
    Employment,
    Industry,
    MembershipRole,
    Organisation,
    OrganisationKind,
    OrganisationMembership,
    OrganisationStatus,
    Region,
)

# A learner may have this many proposals waiting at once (a proposal is reviewed by a person).
MAX_PENDING_PROPOSALS = 3


def can_review(user, organisation: Organisation) -> bool:
    """Organisers, and the organisation's managers, except on a proposal they made themselves."""
    if is_organiser(user):
        return True
    return can_manage_organisation(user, organisation.pk) and organisation.proposed_by_id != user.pk


def _full_clean(organisation: Organisation) -> None:
    try:
        organisation.full_clean(exclude=["name_key", "match_key"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


@transaction.atomic
def organisation_create(
    *,
    kind: str,
    name: str,
    credit_code: str = "",
    short_name: str = "",
    city: Region | None = None,
    province: Region | None = None,
    industry: Industry | None = None,
    size_class: str = "",
    status: str = OrganisationStatus.ACTIVE,
    proposed_by=None,
) -> Organisation:
    organisation = Organisation(
        kind=kind,
        name=names.display(name),
        credit_code=creditcode.normalise(credit_code),
        short_name=short_name,
        city=city,
        province=province if city is None else city.province,
        industry=industry,
        industry_section=industry.section if industry else None,
        size_class=size_class,
        status=status,
        proposed_by=proposed_by,
    )
    _full_clean(organisation)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:  # a concurrent twin passed full_clean at the same moment
        raise ValidationError({"name": [_("单位库中已有同名单位或相同的统一社会信用代码")]}) from None
    return organisation


@transaction.atomic
def organisation_propose(*, user, kind: str, name: str, credit_code: str = "", **fields) -> Organisation:
    """A user proposes an organisation the registry lacks and declares it as their employer; it
    shows to them as 待审核 until an organiser (or its manager) approves it."""
    pending = Organisation.objects.filter(proposed_by=user, status=OrganisationStatus.PROPOSED).count()
    if pending >= MAX_PENDING_PROPOSALS:
        raise ValidationError(_("您已有 %(n)d 个待审核的单位，请等待审核后再提交") % {"n": pending})
    existing = Organisation.objects.visible_to(user).filter(name_key=names.name_key(name)).first()
    if existing is not None:
        raise ValidationError({"name": [_("单位库中已有该单位，请直接从搜索结果中选择")]})
    organisation = organisation_create(
        kind=kind,
        name=name,
        credit_code=credit_code,
        status=OrganisationStatus.PROPOSED,
        proposed_by=user,
        **fields,
    )
    employment_declare(user=user, organisation=organisation)
    return organisation


@transaction.atomic
def organisation_review(*, organisation: Organisation, reviewer, approve: bool, note: str = "") -> Organisation:
    """Approve a proposal (it becomes active) or reject it with a reason (it stays, marked, so the
    proposer sees why); only a proposal can be reviewed, once."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not can_review(reviewer, organisation):
        raise PermissionDenied
    if organisation.status != OrganisationStatus.PROPOSED:
        raise ValidationError(_("该单位不在待审核状态"))
    note = (note or "").strip()[:200]
    if not approve and not note:
        raise ValidationError({"note": [_("请填写不通过的原因")]})
    if approve and organisation.kind in CREDIT_CODE_REQUIRED and not organisation.credit_code:
        raise ValidationError(_("企业和培训机构须填写统一社会信用代码"))
    organisation.status = OrganisationStatus.ACTIVE if approve else OrganisationStatus.REJECTED
    organisation.reviewed_by, organisation.reviewed_at, organisation.review_note = reviewer, timezone.now(), note
    organisation.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
    return organisation


@transaction.atomic
def employment_declare(*, user, organisation: Organisation, source: str = Employment.Source.DECLARED) -> Employment:
    """The user's employer: an active organisation, or one they proposed that is still waiting.
    The profile's free-text 工作单位 follows, so what showed the text before shows the name."""
    if not Organisation.objects.visible_to(user).filter(pk=organisation.pk).exists():
        raise ValidationError(_("请选择单位库中的单位"))
    employment, _created = Employment.objects.update_or_create(
        user=user, defaults={"organisation": organisation, "source": source}
    )
    if user.organisation != organisation.name[:100]:
        user.organisation = organisation.name[:100]
        user.save(update_fields=["organisation"])
    return employment


@transaction.atomic
def employment_clear(*, user) -> None:
    Employment.objects.filter(user=user).delete()


@transaction.atomic
def membership_add(*, organisation: Organisation, user, role: str = MembershipRole.MANAGER) -> OrganisationMembership:
    membership, _created = OrganisationMembership.objects.get_or_create(organisation=organisation, user=user, role=role)
    return membership


@transaction.atomic
def membership_remove(*, organisation: Organisation, user, role: str = MembershipRole.MANAGER) -> None:
    OrganisationMembership.objects.filter(organisation=organisation, user=user, role=role).delete()


@transaction.atomic
def organisation_for_provider(*, name: str, short_name: str = "") -> Organisation:
    """The registry entry of a training provider: the organisation of that name if the registry has
    it (a provider is one real body), else a new active one of the provider kind. Its credit code is
    completed by an organiser in the registry."""
    organisation = Organisation.objects.filter(name_key=names.name_key(name)).first()
    if organisation is None:
        organisation = Organisation(kind=OrganisationKind.PROVIDER, name=name, short_name=short_name[:30])
        organisation.save()
    return organisation
