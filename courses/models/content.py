import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from courses.grading import validate_question
from courses.kinds import GRADABLE_KINDS, OPTION_LABELS, QuestionKind


class Chapter(models.Model):
    """A chapter (章) of a course's syllabus."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="chapters")
    title = models.CharField(_("章节名称"), max_length=120)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("章节")
        verbose_name_plural = _("章节")
        ordering = ["course_id", "sort_order", "id"]

    def __str__(self):
        return self.title


class Lesson(models.Model):
    """A lesson (课时): rich text, a video, downloads and/or a quiz."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="lessons")
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("章节"))
    title = models.CharField(_("课时名称"), max_length=120)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    body = RichTextField(_("正文"), blank=True)
    video = models.ForeignKey(
        "courses.LessonVideo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
        verbose_name=_("视频文件"),
        help_text=_("从本机构的媒体库选择或上传 MP4/WebM 视频；学员在课时页面内播放"),
    )
    video_url = models.URLField(_("视频嵌入地址"), blank=True, help_text=_("或填写视频平台的播放页地址"))
    documents = models.ManyToManyField("wagtaildocs.Document", blank=True, related_name="+", verbose_name=_("资料下载"))
    quiz = models.ForeignKey(
        "courses.Quiz", null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons", verbose_name=_("测验")
    )
    is_required = models.BooleanField(_("必修"), default=True)
    minutes = models.PositiveSmallIntegerField(_("建议时长（分钟）"), default=0)
    min_minutes = models.PositiveSmallIntegerField(
        _("最短学习时间（分钟）"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(600)],
        help_text=_("留空则按正文长度计算；外部平台的视频填写后才计学时；填 0 表示不设最短学习时间"),
    )

    class Meta:
        verbose_name = _("课时")
        verbose_name_plural = _("课时")
        ordering = ["course_id", "chapter__sort_order", "chapter_id", "sort_order", "id"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.chapter_id and self.course_id and self.chapter.course_id != self.course_id:
            raise ValidationError({"chapter": _("章节不属于该课程")})
        if self.quiz_id and self.course_id and self.quiz.course_id != self.course_id:
            raise ValidationError({"quiz": _("测验不属于该课程")})


def new_option_id() -> str:
    """Option ids are random so a submission cannot guess or reuse another question's."""
    return secrets.token_hex(4)


class Question(models.Model):
    """A question in a provider's bank (题库).

    options: [{"id": "9f2c1a0b", "text": "..."}] in display order (labels A–H by position).
    answer:  single → ["<id>"]; multiple → ["<id>", ...]; true_false → true/false;
             fill → [["accepted", "alternative"], ...] one list per blank; short → "reference text";
             numerical → [{"value": 9.8, "tolerance": 0.05} | {"min": 1, "max": 36}, ...], each with an
             optional "weight" (percent) when a partly right answer earns part of the score.
    The answer never leaves the server before an attempt is submitted.
    """

    provider = models.ForeignKey("courses.Provider", on_delete=models.PROTECT, related_name="questions")
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices)
    stem = models.TextField(_("题干"), max_length=4000)
    options = models.JSONField(_("选项"), default=list, blank=True)
    answer = models.JSONField(_("答案"), default=list, blank=True)
    explanation = models.TextField(_("解析"), max_length=4000, blank=True)
    score = models.DecimalField(
        _("分值"), max_digits=5, decimal_places=1, default=1, validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )
    difficulty = models.PositiveSmallIntegerField(
        _("难度"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    knowledge_point = models.CharField(_("知识点"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("题库")
        ordering = ["provider_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"],
                condition=~models.Q(external_id=""),
                name="uniq_question_external_id_per_provider",
            )
        ]

    def __str__(self):
        return self.stem[:40]

    @property
    def option_ids(self) -> list[str]:
        return [o["id"] for o in self.options]

    def labelled_options(self) -> list[dict]:
        return [{"id": o["id"], "label": OPTION_LABELS[i], "text": o["text"]} for i, o in enumerate(self.options)]

    @property
    def blank_range(self) -> range:
        return range(self.blank_count)

    @property
    def blank_count(self) -> int:
        return len(self.answer) if self.kind == QuestionKind.FILL else 0

    def clean(self):
        validate_question(self)


class Quiz(ClusterableModel):
    """A quiz within a course. Graded on the server; every attempt is kept."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="quizzes")
    title = models.CharField(_("测验名称"), max_length=120)
    description = models.TextField(_("说明"), max_length=1000, blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("及格分数线（%）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("留空则使用课程的及格分数线"),
    )
    shuffle = models.BooleanField(_("打乱题目顺序"), default=False)

    class Meta:
        verbose_name = _("测验")
        verbose_name_plural = _("测验")

    def __str__(self):
        return self.title

    @property
    def effective_pass_mark(self) -> int:
        return self.pass_mark if self.pass_mark is not None else self.course.pass_mark


class QuizQuestion(Orderable):
    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("试题"))

    class Meta(Orderable.Meta):
        verbose_name = _("测验题目")
        constraints = [models.UniqueConstraint(fields=["quiz", "question"], name="uniq_quiz_question")]

    def clean(self):
        if self.question_id and self.question.kind not in GRADABLE_KINDS:
            raise ValidationError({"question": _("简答题不能自动评分，不能加入测验")})
