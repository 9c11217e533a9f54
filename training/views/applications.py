"""开班申请, the applicant's side: the class's managers (permissions.can_manage_class) mark a class as
subsidised, fill in the application (teaching plan with an attachment in private storage, teachers,
assessment plan and quiz) and submit it; a returned one is edited and submitted again. Another
organisation's or provider's class is a 404. Every write goes through services.applications."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from ..models import ClassApplication
from ..permissions import classes_visible_to
from ..services import applications as services


class ApplicationForm(forms.Form):
    teaching_plan = forms.CharField(
        label=gettext_lazy("教学计划"),
        required=False,
        max_length=services.TEXT_MAX["teaching_plan"],
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("培训目标、课程安排、学习进度与组织方式"),
    )
    plan_file = forms.FileField(
        label=gettext_lazy("教学计划附件（可选）"),
        required=False,
        help_text=gettext_lazy("PDF、Word、Excel 等，不超过 10 MB；仅申请方和组织者可以下载"),
    )
    remove_plan_file = forms.BooleanField(label=gettext_lazy("删除已上传的附件"), required=False)
    assessment_plan = forms.CharField(
        label=gettext_lazy("考核方案"),
        required=False,
        max_length=services.TEXT_MAX["assessment_plan"],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("考核方式、时间与合格标准"),
    )
    assessment_quiz = forms.ModelChoiceField(
        label=gettext_lazy("结业考核测验"), queryset=None, required=False, empty_label=gettext_lazy("（请选择）")
    )
    pass_mark = forms.IntegerField(label=gettext_lazy("合格分数线（%）"), min_value=0, max_value=100, initial=60)

    def __init__(self, *args, training_class, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment_quiz"].queryset = services.class_quizzes(training_class)
        self.fields["assessment_quiz"].label_from_instance = lambda quiz: f"{quiz.course.title} · {quiz.title}"


class TeacherForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50, required=False)
    title = forms.CharField(label=gettext_lazy("职称/职务"), max_length=50, required=False)
    qualification = forms.CharField(label=gettext_lazy("资格证书"), max_length=100, required=False)


TeacherFormSet = formset_factory(
    TeacherForm,
    extra=2,
    max_num=services.TEACHERS_MAX,
    absolute_max=services.TEACHERS_MAX,
    validate_max=True,
)


def _class(request, pk: int):
    queryset = classes_visible_to(request.user).select_related("organisation", "provider")
    return get_object_or_404(queryset, pk=pk)


def _application(training_class) -> ClassApplication | None:
    return (
        ClassApplication.objects.filter(training_class=training_class)
        .select_related("assessment_quiz__course", "submitted_by", "decided_by")
        .first()
    )


def _initial(application: ClassApplication | None) -> tuple[dict, list[dict]]:
    if application is None:
        return {"pass_mark": 60}, []
    form = {
        "teaching_plan": application.teaching_plan,
        "assessment_plan": application.assessment_plan,
        "assessment_quiz": application.assessment_quiz_id,
        "pass_mark": application.pass_mark,
    }
    teachers = [
        {"name": t.name, "title": t.title, "qualification": t.qualification} for t in application.teachers.all()
    ]
    return form, teachers


def _save(request, training_class, form, formset) -> ClassApplication:
    data = form.cleaned_data
    teachers = [
        services.Teacher(
            f.cleaned_data.get("name", ""), f.cleaned_data.get("title", ""), f.cleaned_data.get("qualification", "")
        )
        for f in formset.forms
        if f.cleaned_data
    ]
    return services.class_application_save(
        training_class=training_class,
        by=request.user,
        teaching_plan=data["teaching_plan"],
        assessment_plan=data["assessment_plan"],
        assessment_quiz=data["assessment_quiz"],
        pass_mark=data["pass_mark"],
        teachers=teachers,
        plan_file=data["plan_file"],
        remove_plan_file=data["remove_plan_file"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def application(request, pk: int):
    """The application page: status, the form while it may be edited, and the history."""
    training_class = _class(request, pk)
    application = _application(training_class)
    initial, teachers = _initial(application)
    form = ApplicationForm(initial=initial, training_class=training_class)
    formset = TeacherFormSet(initial=teachers, prefix="teachers")
    status, errors = 200, []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("subsidise", "unsubsidise"):
                services.training_class_subsidised_set(
                    training_class=training_class, subsidised=action == "subsidise", by=request.user
                )
                messages.success(request, _("已更新：是否为补贴性培训"))
                return redirect("training:application", pk=pk)
            if action not in ("save", "submit"):
                raise ValidationError(_("无法识别的操作"))
            form = ApplicationForm(request.POST, request.FILES, training_class=training_class)
            formset = TeacherFormSet(request.POST, prefix="teachers")
            if form.is_valid() and formset.is_valid():
                application = _save(request, training_class, form, formset)
                if action == "submit":
                    services.class_application_submit(application=application, by=request.user)
                    messages.success(request, _("开班申请已提交，请等待组织者审批"))
                else:
                    messages.success(request, _("开班申请已保存"))
                return redirect("training:application", pk=pk)
        except ValidationError as exc:
            errors += exc.messages
        errors += formset.non_form_errors()
        status = 400
        application = _application(training_class)
    editable = application is None or services.application_editable(application)
    context = {
        "training_class": training_class,
        "application": application,
        "form": form,
        "formset": formset,
        "editable": editable and training_class.subsidised,
        "events": list(application.events.select_related("actor")) if application else [],
        "errors": errors,
    }
    return render(request, "training/applications/application.html", context, status=status)


@login_required
@require_safe
def plan_file(request, pk: int):
    """The teaching plan's attachment, for the class's managers and organisers only."""
    training_class = _class(request, pk)
    application = ClassApplication.objects.filter(training_class=training_class).first()
    if application is None or not application.plan_file:
        raise Http404
    try:
        handle = application.plan_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=application.plan_file_name or "plan")
