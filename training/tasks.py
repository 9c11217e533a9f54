"""Background tasks (django-tasks) of enterprise training."""

from django_tasks import task

from .models import TrainingClass
from .services.certificates import training_class_certificates_issue


@task()
def issue_class_certificates(class_id: int) -> int:
    """The 培训合格证书 owed in one class, asked for from its record page; how many were issued."""
    training_class = TrainingClass.objects.select_related("organisation", "provider").filter(pk=class_id).first()
    if training_class is None:
        return 0
    return training_class_certificates_issue(training_class=training_class)["issued"]
