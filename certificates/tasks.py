"""Background tasks (django-tasks): completion certificates after a course is completed, bulk jobs."""

from django_tasks import task


@task()
def issue_completion(enrolment_id: int) -> str | None:
    from courses.models import Enrolment

    from .services import certificate_issue_completion

    enrolment = Enrolment.objects.filter(pk=enrolment_id).first()
    if enrolment is None:
        return None
    certificate = certificate_issue_completion(enrolment=enrolment)
    return certificate.number if certificate else None


@task()
def run_issue_job(job_id: int) -> int:
    from .jobs import job_run

    return job_run(job_id).done
