"""Admin forms for the course records.

Every choice of a related record (provider, course, chapter, quiz, question, final quiz,
image, document) is limited to what the editing user may use, so a crafted POST naming
another provider's record fails validation like any invalid choice. The form then checks
once more, through the model's permission policy, that the record it is about to save
belongs to one of the user's providers.

The question form replaces the JSON `options` and `answer` with option fields A–H and
an answer typed the way a question bank is written ("A", "ABC", "正确", "5G;第五代|工业互联网").
"""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.permissions import policy_registry

from accounts.phones import is_mobile, normalise_phone
from accounts.roles import can_manage_provider
from courses.numerical import NumericalError, format_numerical_answer, parse_numerical_answer

from .kinds import OPTION_LABELS
from .models import Course, LessonVideo, Question, QuestionKind
from .models.content import new_option_id
from .models.ratings import COMMENT_MAX, REASON_MAX, SCORE_MAX, SCORE_MIN
from .permissions import POLICIES, ProviderScopedPermissionPolicy, scoped_to_user

CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE}
TRUE_WORDS = {"正确", "对", "是", "√", "✓", "T", "TRUE", "Y", "YES"}
FALSE_WORDS = {"错误", "错", "否", "×", "✗", "F", "FALSE", "N", "NO"}
BLANK_SEPARATOR = re.compile(r"[|｜]")
ALTERNATIVE_SEPARATOR = re.compile(r"[;；]")


def _collection_scoped(model, user, actions, current_ids):
    """Images, documents or videos the user may choose (by collection), plus those already attached."""
    if user is None:
        return model.objects.filter(pk__in=current_ids)
    allowed = policy_registry.get_by_type(model).instances_user_has_any_permission_for(user, actions)
    return model.objects.filter(Q(pk__in=allowed.values("pk")) | Q(pk__in=current_ids))


class ProviderScopedForm(WagtailAdminModelForm):
    """Limits related-record choices to the user's providers. Without a user there are no choices.

    scoped_fields: form field name → ORM lookup from the related model to its provider.
    locked_on_edit: fields that cannot change once the record exists (moving a record to
    another provider or course would strand its pages, quizzes or learner data).
    """

    scoped_fields: dict[str, str] = {}
    locked_on_edit: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        for name, lookup in self.scoped_fields.items():
            field = self.fields.get(name)
            if field is None:
                continue
            field.queryset = scoped_to_user(field.queryset, user, lookup) if user else field.queryset.none()
            if not self.instance.pk and field.required and not self.initial.get(name):
                only = list(field.queryset[:2])
                if len(only) == 1:
                    self.initial[name] = only[0].pk
        if self.instance.pk:
            for name in self.locked_on_edit:
                if name in self.fields:
                    self.fields[name].disabled = True

    def _post_clean(self):
        super()._post_clean()
        policy = POLICIES.get(self._meta.model)
        if self.errors or not isinstance(policy, ProviderScopedPermissionPolicy):
            return
        if not can_manage_provider(self.for_user, policy.provider_id_for(self.instance)):
            self.add_error(None, _("只能管理本机构的课程和试题"))


class _ChapterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.course.title} › {obj.title}"


class _QuizChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.course.title} › {obj.title}"


class CourseAdminForm(ProviderScopedForm):
    scoped_fields = {"provider": "pk", "final_quiz": "course__provider"}
    locked_on_edit = ("provider",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "final_quiz" in self.fields:
            field = self.fields["final_quiz"]
            if self.instance.pk:
                field.queryset = field.queryset.filter(course=self.instance)
                field.help_text = _("从本课程的测验中选择；学员通过后才能结业")
            else:
                field.queryset = field.queryset.none()
                field.disabled = True
                field.help_text = _("保存课程并添加测验后再选择")
        if "cover" in self.fields:
            current = [self.instance.cover_id] if self.instance.cover_id else []
            self.fields["cover"].queryset = _collection_scoped(get_image_model(), self.for_user, ["choose"], current)


class ChapterAdminForm(ProviderScopedForm):
    scoped_fields = {"course": "provider"}
    locked_on_edit = ("course",)


class LessonAdminForm(ProviderScopedForm):
    """The lesson's course is its chapter's course, so editors pick the chapter only."""

    scoped_fields = {"chapter": "course__provider", "quiz": "course__provider"}

    class Meta:
        field_classes = {"chapter": _ChapterChoiceField, "quiz": _QuizChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("chapter", "quiz"):
            if name in self.fields:
                self.fields[name].queryset = self.fields[name].queryset.select_related("course")
        document_model = get_document_model()
        if "video" in self.fields:
            # wagtailmedia has no "choose" permission: its chooser offers what the user may change.
            current = [self.instance.video_id] if self.instance.video_id else []
            self.fields["video"].queryset = _collection_scoped(LessonVideo, self.for_user, ["change"], current)
        if "documents" in self.fields:
            current = list(self.instance.documents.values_list("pk", flat=True)) if self.instance.pk else []
            self.fields["documents"].queryset = _collection_scoped(
                document_model, self.for_user, ["choose"], current
            ).order_by("title")

    def clean(self):
        cleaned = super().clean()
        chapter = cleaned.get("chapter")
        if chapter is not None:
            self.instance.course = chapter.course
        return cleaned


class QuizQuestionAdminForm(WagtailAdminModelForm):
    """A row of a quiz's InlinePanel: questions of the user's providers (简答 ones go to 阅卷)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "question" in self.fields:
            field = self.fields["question"]
            queryset = field.queryset
            field.queryset = scoped_to_user(queryset, self.for_user, "provider") if self.for_user else queryset.none()


class QuizAdminForm(ProviderScopedForm):
    scoped_fields = {"course": "provider"}
    locked_on_edit = ("course",)

    def is_valid(self):
        valid = super().is_valid()
        course = self.cleaned_data.get("course") if hasattr(self, "cleaned_data") else None
        formset = self.formsets.get("quiz_questions")
        if not valid or course is None or formset is None:
            return valid
        for form in formset.forms:
            question = form.cleaned_data.get("question") if hasattr(form, "cleaned_data") else None
            if formset._should_delete_form(form) or question is None:
                continue
            if question.provider_id != course.provider_id:
                form.add_error("question", _("只能选择本课程所属机构的试题"))
                valid = False
        return self._draw_rules_valid(course) and valid

    def _draw_rules_valid(self, course) -> bool:
        """Each draw rule must find enough questions in the bank, after the fixed ones and the rules before it."""
        from .quizzes import draw_rule_pool_sizes

        formset = self.formsets.get("draw_rules")
        if formset is None:
            return True
        forms_ = [
            f
            for f in formset.forms
            if hasattr(f, "cleaned_data") and f.cleaned_data.get("count") and not formset._should_delete_form(f)
        ]
        rules = [f.save(commit=False) for f in forms_]
        fixed = self.formsets.get("quiz_questions")
        fixed_ids = set()
        if fixed is not None:
            fixed_ids = {
                f.cleaned_data["question"].pk
                for f in fixed.forms
                if hasattr(f, "cleaned_data") and f.cleaned_data.get("question") and not fixed._should_delete_form(f)
            }
        valid = True
        sizes = draw_rule_pool_sizes(rules=rules, provider_id=course.provider_id, taken=fixed_ids)
        for form, rule, size in zip(forms_, rules, sizes, strict=True):
            if rule.count > size:
                form.add_error(
                    "count",
                    _("题库中符合条件的试题只有 %(n)d 道（已除去固定题目和前面规则抽取的），不够抽取 %(count)d 道")
                    % {"n": size, "count": rule.count},
                )
                valid = False
        return valid


# ------------------------------------------------------------------ questions


def options_from_texts(texts: list[str], previous: list[dict]) -> list[dict]:
    """Option dicts from the A–H text fields. Each slot keeps the id it had before,
    so editing an option's wording does not change its id (and past answers stay valid)."""
    options = []
    for i, text in enumerate(texts):
        if not text:
            continue
        old_id = previous[i].get("id") if i < len(previous) and isinstance(previous[i], dict) else None
        options.append({"id": old_id or new_option_id(), "text": text})
    return options


def answer_from_text(kind: str, text: str, options: list[dict]):
    """Parse the typed answer into the JSON the Question model stores; ValidationError if unreadable."""
    text = (text or "").strip()
    if kind in CHOICE_KINDS:
        letters = re.sub(r"[\s,，、;；/]+", "", text).upper()
        if not letters:
            raise ValidationError(_("请填写正确选项的字母，例如 A 或 ABD"))
        ids = []
        for letter in letters:
            index = OPTION_LABELS.find(letter)
            if index < 0 or index >= len(options):
                raise ValidationError(_("答案中的“%(letter)s”不是已填写的选项") % {"letter": letter})
            if options[index]["id"] in ids:
                raise ValidationError(_("答案中的选项“%(letter)s”重复了") % {"letter": letter})
            ids.append(options[index]["id"])
        return [o["id"] for o in options if o["id"] in ids]  # in option order
    if kind == QuestionKind.TRUE_FALSE:
        word = text.upper()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError(_("判断题的答案请填写“正确”或“错误”"))
    if kind == QuestionKind.FILL:
        blanks = []
        for part in BLANK_SEPARATOR.split(text):
            accepted = [a.strip() for a in ALTERNATIVE_SEPARATOR.split(part) if a.strip()]
            if not accepted:
                raise ValidationError(_("每个空至少需要一个答案；各空之间用“|”分隔，同一空的多个答案用“;”分隔"))
            blanks.append(accepted)
        return blanks
    if kind == QuestionKind.NUMERICAL:
        try:
            return parse_numerical_answer(text)
        except NumericalError as exc:
            raise ValidationError(exc.message.translated()) from None
    return text  # short answer: reference text


def answer_to_text(question: Question) -> str:
    """The stored answer written back in the form's notation, for editing."""
    kind, answer = question.kind, question.answer
    if kind in CHOICE_KINDS and isinstance(answer, list):
        ids = question.option_ids if isinstance(question.options, list) else []
        return "".join(OPTION_LABELS[i] for i, option_id in enumerate(ids) if option_id in answer)
    if kind == QuestionKind.TRUE_FALSE:
        return {True: "正确", False: "错误"}.get(answer, "") if isinstance(answer, bool) else ""
    if kind == QuestionKind.FILL and isinstance(answer, list):
        return "|".join(";".join(str(a) for a in blank) for blank in answer if isinstance(blank, list))
    if kind == QuestionKind.NUMERICAL and isinstance(answer, list):
        return format_numerical_answer(answer)
    return answer if isinstance(answer, str) else ""


OPTION_FIELDS = [f"option_{letter.lower()}" for letter in OPTION_LABELS]


class QuestionAdminForm(ProviderScopedForm):
    scoped_fields = {"provider": "pk"}
    locked_on_edit = ("provider",)

    option_a = forms.CharField(label=_("选项A"), required=False, max_length=500)
    option_b = forms.CharField(label=_("选项B"), required=False, max_length=500)
    option_c = forms.CharField(label=_("选项C"), required=False, max_length=500)
    option_d = forms.CharField(label=_("选项D"), required=False, max_length=500)
    option_e = forms.CharField(label=_("选项E"), required=False, max_length=500)
    option_f = forms.CharField(label=_("选项F"), required=False, max_length=500)
    option_g = forms.CharField(label=_("选项G"), required=False, max_length=500)
    option_h = forms.CharField(label=_("选项H"), required=False, max_length=500)
    # Replaces the model's JSON field; clean() turns the text into that JSON.
    answer = forms.CharField(
        label=_("答案"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "单选填字母，如 B；多选填全部正确字母，如 ACD；判断填“正确”或“错误”；"
            "填空题各空之间用“|”分隔，同一空的多个可接受答案用“;”分隔，如 5G;第五代移动通信|工业互联网；"
            "简答题填参考答案；数值题填“数值”“数值:误差”或“下限..上限”，多个答案用“;”分隔，如 9.8:0.05"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = self.instance.options if isinstance(self.instance.options, list) else []
        for i, name in enumerate(OPTION_FIELDS):
            if i < len(options) and isinstance(options[i], dict):
                self.initial.setdefault(name, options[i].get("text", ""))
        if self.instance.pk:
            self.initial["answer"] = answer_to_text(self.instance)
        else:
            self.initial["answer"] = ""

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        texts = [(cleaned.get(name) or "").strip() for name in OPTION_FIELDS]
        if kind is None:
            cleaned.pop("answer", None)
            return cleaned
        if kind in CHOICE_KINDS:
            filled = [bool(t) for t in texts]
            if True in filled and False in filled[: len(filled) - filled[::-1].index(True)]:
                self.add_error(OPTION_FIELDS[filled.index(False)], _("选项请从A开始连续填写，中间不要留空"))
                cleaned.pop("answer", None)
                return cleaned
            previous = self.instance.options if self.instance.pk and isinstance(self.instance.options, list) else []
            options = options_from_texts(texts, previous)
        else:
            for name, text in zip(OPTION_FIELDS, texts, strict=True):
                if text:
                    self.add_error(name, _("只有单选题和多选题需要填写选项"))
                    cleaned.pop("answer", None)
                    return cleaned
            options = []
        try:
            cleaned["answer"] = answer_from_text(kind, cleaned.get("answer", ""), options)
        except ValidationError as exc:
            self.add_error("answer", exc)  # also drops "answer" from cleaned_data
            return cleaned
        # `options` is not a form field, so set it on the instance directly; the model's
        # clean() then checks both with courses.grading.validate_question.
        self.instance.options = options
        return cleaned


class _CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.provider.short_name or obj.provider.name} · {obj.title}（{obj.code}）"


class FeaturedCourseAdminForm(WagtailAdminModelForm):
    """精品课程 (organisers only): a course whose page is live, or the one already selected."""

    class Meta:
        field_classes = {"course": _CourseChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "course" in self.fields:
            current = Q(pk=self.instance.course_id) if self.instance.course_id else Q(pk__in=[])
            self.fields["course"].queryset = (
                Course.objects.filter(Q(page__live=True) | current)
                .select_related("provider")
                .order_by("provider__name", "code")
            )


class ProviderStaffAddForm(forms.Form):
    """Who to add to a provider's staff: an existing account, by user name or mobile number."""

    account = forms.CharField(
        label=_("用户名或手机号码"), max_length=150, help_text=_("对方需先注册账号；手机号码须只属于一个账号")
    )

    def clean_account(self):
        value = self.cleaned_data["account"].strip()
        users = get_user_model().objects.filter(is_active=True)
        user = users.filter(username=value).first()
        phone = normalise_phone(value)
        if user is None and is_mobile(phone):
            by_phone = list(users.filter(phone=phone)[:2])
            if len(by_phone) > 1:
                raise ValidationError(_("这个手机号码属于多个账号，请改用用户名"))
            user = by_phone[0] if by_phone else None
        if user is None:
            raise ValidationError(_("没有找到这个账号（已停用的账号不能添加）"))
        return user


class RatingForm(forms.Form):
    """A learner's rating of a course they completed: a whole score 1–5 and an optional comment."""

    score = forms.TypedChoiceField(
        label=_("评分"),
        choices=[(str(n), str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("评分应为 1 到 5 之间的整数"), "required": _("请选择评分")},
    )
    comment = forms.CharField(
        label=_("评价"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选填，不超过 500 个字"),
    )


class RatingModerationForm(forms.Form):
    """Hide a rating (with a reason) or show it again."""

    action = forms.ChoiceField(choices=[("hide", _("隐藏")), ("show", _("恢复显示"))], widget=forms.HiddenInput)
    reason = forms.CharField(label=_("隐藏原因"), required=False, max_length=REASON_MAX)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "hide" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("请填写隐藏原因"))
        return cleaned
