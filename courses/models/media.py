from wagtailmedia.models import AbstractMedia

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from courses import videos


class LessonVideo(AbstractMedia):
    """A video (or audio) in the Wagtail media library, kept private: only enrolled learners may play it.

    The file lies in private storage (``courses.videos``) and has no public URL; ``url`` is the staff
    preview view, and learners get it through ``courses:lesson_video``. ``duration`` (seconds, float),
    ``width`` and ``height`` are measured on the server from the uploaded file by ffprobe, never typed in
    or reported by a browser, so they are not in the admin form.
    """

    file = models.FileField(
        upload_to=videos.video_file_name, storage=videos.video_storage, max_length=255, verbose_name=_("文件")
    )

    admin_form_fields = ("title", "file", "collection", "thumbnail", "tags")

    class Meta:
        verbose_name = _("课程视频")
        verbose_name_plural = _("课程视频")

    @property
    def url(self) -> str:
        """The staff preview (the admin's media list links here); the file itself has no URL."""
        return reverse("courses:video_file", args=[self.pk]) if self.pk else ""

    @property
    def content_type(self) -> str:
        return videos.content_type(self.file.name)

    @property
    def sources(self):
        return [{"src": self.url, "type": self.content_type}]

    def clean(self, *args, **kwargs):
        if self.type not in {"audio", "video"}:
            self.type = "video"  # wagtailmedia's /admin/media/media/add/ leaves the type unset
        super().clean(*args, **kwargs)
        if self.file and not getattr(self.file, "_committed", True):
            # A new upload: measure it here, whatever the form or the browser said.
            try:
                found = videos.probe_upload(self.file.file, kind=self.type or "video")
            except ValidationError as exc:
                raise ValidationError({"file": exc.error_list}) from exc
            self.duration, self.width, self.height = found.duration, found.width, found.height
