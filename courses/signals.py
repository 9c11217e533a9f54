"""Keep each course's search text current when its syllabus changes (a search-index concern)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Chapter, Course, Lesson


@receiver(post_save, sender=Course)
@receiver(post_save, sender=Chapter)
@receiver(post_save, sender=Lesson)
@receiver(post_delete, sender=Chapter)
@receiver(post_delete, sender=Lesson)
def _reindex(sender, instance, raw=False, **kwargs):
    if raw or getattr(instance, "_skip_reindex", False):
        return
    from .services import course_reindex

    course_id = instance.pk if sender is Course else instance.course_id
    course_reindex(course_id=course_id)
