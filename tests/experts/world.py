"""The expert pool's part of tests/test_permissions.py's world: `judge` is an expert of the pool (a
registry organisation, a declared conflict), and an import waits for confirmation."""

from experts.models import Expert, ExpertConflict, ExpertImport
from organisations import services as organisation_services


def expert_world(*, judge, organiser, track) -> dict:
    organisation = organisation_services.organisation_create(kind="school", name="权限检查学院")
    expert = Expert.objects.create(name="评委甲", organisation=organisation, user=judge, phone="13900009999")
    ExpertConflict.objects.create(expert=expert, organisation=organisation, reason="权限检查")
    rows = [{"line": 2, "name": "王五", "phone": "13900008888", "organisation": "权限检查学院"}]
    upload = ExpertImport.objects.create(file_name="专家.xlsx", rows=rows, created_by=organiser)
    return {
        "experts:detail": expert.pk,
        "experts:import_preview": upload.pk,
        "experts:import_errors": upload.pk,
    }
