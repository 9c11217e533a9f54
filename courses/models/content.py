import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from courses.grading import validate_question
from courses.kinds import OPTION_LABELS, QuestionKind


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
    category = models.CharField(
        _("题目分类"), max_length=100, blank=True, help_text=_("如 GIFT 文件的 $CATEGORY；测验可按分类随机抽题")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("题库")
        ordering = ["provider_id", "id"]
        indexes = [
            models.Index(fields=["provider", "category"]),
            models.Index(fields=["provider", "knowledge_point"]),
        ]
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


class ReviewPolicy(models.TextChoices):
    """When a learner may see the correct answers and explanations of a submitted attempt."""

    NEVER = "never", _("从不显示")
    AFTER_PASS = "pass", _("通过后显示")
    AFTER_CLOSE = "closed", _("通过或用完作答次数后显示")
    ALWAYS = "always", _("每次提交后显示")


class Quiz(ClusterableModel):
    """A quiz within a course. Graded on the server; every attempt is kept.

    The attempt rules (attempts, delay, time limit, review) left empty take the platform's defaults
    (settings.QUIZ_DEFAULTS): the strict column for a course's final quiz, the practice one otherwise.
    """

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
    shuffle = models.BooleanField(_("打乱题目顺序"), default=True)
    shuffle_options = models.BooleanField(_("打乱选项顺序"), default=True, help_text=_("每次作答的选项顺序各不相同"))
    attempts_allowed = models.PositiveSmallIntegerField(
        _("允许作答次数"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("0 表示不限次数；留空使用平台默认值（结业测验默认 3 次）"),
    )
    attempt_delay_minutes = models.PositiveIntegerField(
        _("两次作答间隔（分钟）"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(60 * 24 * 30)],
        help_text=_("0 表示无需等待；留空使用平台默认值（结业测验默认 10 分钟）"),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("限时（分钟）"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(60 * 24)],
        help_text=_("0 表示不限时；计时以服务器为准，到时未提交的答卷按已保存的答案收卷"),
    )
    review = models.CharField(
        _("何时显示正确答案"),
        max_length=8,
        choices=ReviewPolicy.choices,
        blank=True,
        help_text=_("未通过时只显示哪些题答错，不显示答案和解析；留空使用平台默认值"),
    )

    class Meta:
        verbose_name = _("测验")
        verbose_name_plural = _("测验")

    def __str__(self):
        return self.title

    @property
    def effective_pass_mark(self) -> int:
        return self.pass_mark if self.pass_mark is not None else self.course.pass_mark

    @property
    def is_final(self) -> bool:
        return bool(self.pk) and self.course.final_quiz_id == self.pk

    def _default(self, name: str):
        return settings.QUIZ_DEFAULTS["final" if self.is_final else "practice"][name]

    @property
    def effective_attempts_allowed(self) -> int:
        """0 = unlimited."""
        value = self.attempts_allowed
        return value if value is not None else self._default("attempts_allowed")

    @property
    def effective_delay(self) -> dt.timedelta:
        value = self.attempt_delay_minutes
        return dt.timedelta(minutes=value if value is not None else self._default("attempt_delay_minutes"))

    @property
    def effective_time_limit(self) -> dt.timedelta | None:
        value = self.time_limit_minutes
        minutes = value if value is not None else self._default("time_limit_minutes")
        return dt.timedelta(minutes=minutes) if minutes else None

    @property
    def effective_review(self) -> str:
        return self.review or self._default("review")


class QuizQuestion(Orderable):
    """A question every attempt of the quiz asks."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("试题"))

    class Meta(Orderable.Meta):
        verbose_name = _("测验题目")
        constraints = [models.UniqueConstraint(fields=["quiz", "question"], name="uniq_quiz_question")]


class QuizDrawRule(Orderable):
    """Draw `count` questions at random from the provider's bank, filtered, for each attempt."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="draw_rules")
    count = models.PositiveSmallIntegerField(
        _("抽题数量"), default=5, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    category = models.CharField(_("题目分类"), max_length=100, blank=True, help_text=_("留空则不限"))
    knowledge_point = models.CharField(_("知识点"), max_length=100, blank=True, help_text=_("留空则不限"))
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices, blank=True)
    difficulty_min = models.PositiveSmallIntegerField(
        _("最低难度"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    difficulty_max = models.PositiveSmallIntegerField(
        _("最高难度"), default=5, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta(Orderable.Meta):
        verbose_name = _("随机抽题规则")
        verbose_name_plural = _("随机抽题规则")
        constraints = [
            models.CheckConstraint(condition=models.Q(count__gte=1), name="draw_rule_count_positive"),
            models.CheckConstraint(
                condition=models.Q(difficulty_min__lte=models.F("difficulty_max")), name="draw_rule_difficulty_range"
            ),
        ]

    def __str__(self):
        return f"{self.count} × {self.category or '*'} / {self.knowledge_point or '*'} / {self.difficulty_min}–{self.difficulty_max}"

    def pool(self, provider_id: int):
        """The bank questions this rule draws from."""
        questions = Question.objects.filter(
            provider_id=provider_id, difficulty__gte=self.difficulty_min, difficulty__lte=self.difficulty_max
        )
        if self.category:
            questions = questions.filter(category=self.category)
        if self.knowledge_point:
            questions = questions.filter(knowledge_point=self.knowledge_point)
        if self.kind:
            questions = questions.filter(kind=self.kind)
        return questions

    def clean(self):
        if self.difficulty_min and self.difficulty_max and self.difficulty_min > self.difficulty_max:
            raise ValidationError({"difficulty_max": _("最高难度不能低于最低难度")})
