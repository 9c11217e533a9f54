from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.text import normalise_search


class SkillLevel(models.IntegerChoices):
    """National vocational skill levels; 0 means the course is open to any level."""

    ANY = 0, _("不限")
    L5 = 5, _("五级/初级工")
    L4 = 4, _("四级/中级工")
    L3 = 3, _("三级/高级工")
    L2 = 2, _("二级/技师")
    L1 = 1, _("一级/高级技师")


class Delivery(models.TextChoices):
    ONLINE = "online", _("线上")
    OFFLINE = "offline", _("线下")
    BLENDED = "blended", _("混合")


class Provider(models.Model):
    """A training provider (培训机构) that owns and authors courses."""

    name = models.CharField(_("机构名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    slug = models.SlugField(_("网址标识"), max_length=50, unique=True, allow_unicode=False)
    description = models.TextField(_("机构简介"), max_length=2000, blank=True)
    website = models.URLField(_("网站"), blank=True)
    # 遴选 (courses/review.py): a trusted provider's staff publish directly; everyone else's pages wait
    # for an organiser's approval. Only organisers may change it (the provider admin is theirs).
    trusted = models.BooleanField(
        _("免审核发布"),
        default=False,
        help_text=_("勾选后，本机构人员可直接发布课程页面；否则新课程和对已发布课程的修改须经组织者审核后才公开"),
    )
    # Its entry in the registry (organisations), made by services.provider_setup.
    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="provider",
        verbose_name=_("单位库条目"),
    )
    # Wagtail objects that carry the provider's admin permissions (see services.provider_setup).
    group = models.OneToOneField("auth.Group", null=True, blank=True, on_delete=models.SET_NULL, editable=False)
    collection = models.ForeignKey(
        "wagtailcore.Collection", null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+"
    )

    class Meta:
        verbose_name = _("培训机构")
        verbose_name_plural = _("培训机构")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProviderMembership(models.Model):
    """Makes a user staff of a provider: they author that provider's courses only."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")
        constraints = [models.UniqueConstraint(fields=["provider", "user"], name="uniq_provider_member")]

    def __str__(self):
        return f"{self.user} @ {self.provider}"


class Category(models.Model):
    """An industry category (行业分类); editable by organisers."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(_("网址标识"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行业分类")
        verbose_name_plural = _("行业分类")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class CourseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(page__live=True)

    def for_provider(self, provider):
        return self.filter(provider=provider)

    def search(self, query: str):
        """Substring search over the normalised search text.

        Chinese has no spaces between words, so a token index would miss a word in
        the middle of a title; every whitespace-separated term must appear somewhere.
        """
        terms = normalise_search(query).split()
        qs = self
        for term in terms[:8]:
            qs = qs.filter(search_text__contains=term)
        return qs


code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", _("课程编号只能包含字母、数字、点、下划线和连字符"))


class Course(models.Model):
    """The learning record of a course. Enrolments, attempts and progress point here,
    never at the page, so page edits and revisions cannot touch learner data."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="courses", verbose_name=_("培训机构"))
    code = models.CharField(_("课程编号"), max_length=32, validators=[code_validator])
    title = models.CharField(_("课程名称"), max_length=120)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="courses", verbose_name=_("行业分类"), null=True, blank=True
    )
    level = models.PositiveSmallIntegerField(_("技能等级"), choices=SkillLevel.choices, default=SkillLevel.ANY)
    hours = models.DecimalField(
        _("学时"), max_digits=5, decimal_places=1, default=0, validators=[MinValueValidator(0), MaxValueValidator(2000)]
    )
    delivery = models.CharField(_("授课方式"), max_length=10, choices=Delivery.choices, default=Delivery.ONLINE)
    instructors = models.CharField(_("授课教师"), max_length=200, blank=True, help_text=_("多位教师用顿号或逗号分隔"))
    summary = models.TextField(_("课程简介"), max_length=2000, blank=True)
    cover = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("封面"),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("及格分数线（%）"), default=60, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    sequential = models.BooleanField(
        _("按顺序学习"), default=True, help_text=_("完成前面的必修课时后才能学习后面的课时")
    )
    final_quiz = models.ForeignKey(
        "courses.Quiz", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("结业测验")
    )
    study_strict = models.BooleanField(
        _("严格学习规则"),
        default=True,
        help_text=_(
            "不能拖动到未观看的位置，切换到其他页面时暂停，每隔一段时间随机确认在线；颁发结业证书的课程默认开启"
        ),
    )
    video_completion_percent = models.PositiveSmallIntegerField(
        _("视频完成比例（%）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text=_("观看视频达到该比例即完成课时；留空则使用站点设置（默认 90%）"),
    )
    requires_identity = models.BooleanField(
        _("结业证书需实名信息"),
        default=False,
        help_text=_("勾选后，学员须填写真实姓名、有效身份证号和手机号码，才能获得本课程的结业证书"),
    )
    search_text = models.TextField(editable=False, default="")
    # The visible ratings (courses/ratings.py keeps them in step), so cards and the catalogue's
    # 评分最高 sort need no query per course.
    rating_count = models.PositiveIntegerField(_("评价人数"), default=0, editable=False)
    rating_avg = models.DecimalField(_("平均评分"), max_digits=2, decimal_places=1, null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["provider_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "code"], name="uniq_course_code_per_provider"),
            models.CheckConstraint(condition=models.Q(pass_mark__lte=100), name="course_pass_mark_range"),
        ]
        indexes = [models.Index(fields=["category", "level"]), models.Index(fields=["-created_at"])]

    def __str__(self):
        return f"{self.title}（{self.code}）"

    @property
    def instructor_list(self) -> list[str]:
        import re

        return [n for n in re.split(r"[、,，;；/\s]+", self.instructors) if n]
