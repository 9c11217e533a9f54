"""A certificate is never deleted and never changes after issuance; its state is derived."""

import datetime as dt

import pytest

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from certificates.models import Certificate


def test_a_certificate_cannot_be_deleted(certificate):
    with pytest.raises(ValidationError):
        certificate.delete()
    with pytest.raises(ValidationError):
        Certificate.objects.filter(pk=certificate.pk).delete()
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_there_is_no_delete_permission_to_grant(db):
    codenames = set(
        Permission.objects.filter(content_type__app_label="certificates").values_list("codename", flat=True)
    )
    assert "view_certificate" in codenames
    assert "delete_certificate" not in codenames


def test_holder_course_and_enrolment_are_protected(certificate):
    with pytest.raises(ProtectedError):
        certificate.holder.delete()
    with pytest.raises(ProtectedError):
        certificate.enrolment.delete()
    with pytest.raises(ProtectedError):
        certificate.course.delete()


def test_issued_data_cannot_be_saved_again(certificate):
    certificate.snapshot = {**certificate.snapshot, "holder": {"name": "李四"}}
    with pytest.raises(ValidationError):
        certificate.save()
    with pytest.raises(ValidationError):
        certificate.save(update_fields=["snapshot"])
    for field in ("number", "code", "holder", "kind"):
        with pytest.raises(ValidationError):
            certificate.save(update_fields=[field])
    certificate.refresh_from_db()
    assert certificate.snapshot["holder"]["name"] == "张三"


def test_state_is_valid_revoked_or_expired(certificate):
    assert certificate.state == "valid"
    certificate.expires_at = timezone.now() - dt.timedelta(days=1)  # in memory only: expiry is derived
    assert certificate.state == "expired"
    certificate.status, certificate.revoked_at = "revoked", timezone.now()
    assert certificate.state == "revoked"
