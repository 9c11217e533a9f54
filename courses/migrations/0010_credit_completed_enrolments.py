"""Credit the 学时 of enrolments completed before the ledger existed (courses.services.hours_credit,
written out here against the historical models). Their effective time is what the StudyDay ledger
holds for them (none, for courses completed before tracking)."""

from django.db import migrations
from django.db.models import Sum


def credit(apps, schema_editor):
    Enrolment = apps.get_model("courses", "Enrolment")
    CreditedHours = apps.get_model("courses", "CreditedHours")
    StudyDay = apps.get_model("courses", "StudyDay")
    todo = Enrolment.objects.filter(completed_at__isnull=False, credited_hours__isnull=True).select_related("course")
    batch = []
    for enrolment in todo.iterator(chunk_size=1000):
        effective = StudyDay.objects.filter(
            learner_id=enrolment.learner_id, course_id=enrolment.course_id
        ).aggregate(total=Sum("seconds"))["total"]
        batch.append(
            CreditedHours(
                enrolment_id=enrolment.pk,
                learner_id=enrolment.learner_id,
                course_id=enrolment.course_id,
                hours=enrolment.course.hours,
                effective_seconds=effective or 0,
                credited_at=enrolment.completed_at,
            )
        )
        if len(batch) >= 1000:
            CreditedHours.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    CreditedHours.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("courses", "0009_course_requires_identity")]

    operations = [migrations.RunPython(credit, migrations.RunPython.noop)]
