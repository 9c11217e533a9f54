"""The 理论试卷 admin pages (organisers): every add, change and removal of a paper line goes through
contests.services.papers, which refuses edits once the round's lobby is open and audits the refusal.

Wagtail's generic views save inside a transaction of their own; these call the service outside it, so
a refusal (and its audit line) is not rolled back with the form, and the form shows the reason.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from wagtail.admin.views import generic

from .. import services
from ..models import RoundStatus


class _ServiceSaveMixin:
    def form_valid(self, form):
        self.form = form
        try:
            self.object = self.save_instance()
        except ValidationError as exc:
            form.add_error(None, exc)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return response if hook_response is None else hook_response


class PaperLineCreateView(_ServiceSaveMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.paper_question_add(
            round=data["round"],
            question=data["question"],
            score=data["score"],
            order=data["order"],
            by=self.request.user,
        )


class PaperLineEditView(_ServiceSaveMixin, generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.paper_question_change(
            round_question=self.object,
            round=data["round"],
            question=data["question"],
            score=data["score"],
            order=data["order"],
            by=self.request.user,
        )


class PaperLineDeleteView(generic.DeleteView):
    def get(self, request, *args, **kwargs):
        if self.object.round.status != RoundStatus.DRAFT:
            messages.error(request, services.paper_fixed_message(self.object.round))
            return redirect(self.get_success_url())
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        success_url = self.get_success_url()
        message = self.get_success_message()
        try:
            services.paper_question_remove(round_question=self.object, by=self.request.user)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
            return redirect(success_url)
        messages.success(self.request, message)
        return redirect(success_url)
