from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class TheoryAnswer(models.Model):
    """An entry's current answer to one question of the paper, graded on the server when stored.

    `client_id` is the id the console generated for the save that produced this version; a save
    repeated with the same id is acknowledged again without a second write. `score` is this
    question's share of the entry's theory score, so a change re-grades one question only.
    """

    entry = models.ForeignKey("contests.Entry", on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("courses.Question", on_delete=models.PROTECT, related_name="+")
    client_id = models.UUIDField(_("客户端编号"))
    answer = models.JSONField(_("答案"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, default=Decimal(0))
    correct = models.BooleanField(_("正确"), default=False)
    revision = models.PositiveIntegerField(_("修改次数"), default=1)
    saved_at = models.DateTimeField(_("首次保存"))
    updated_at = models.DateTimeField(_("最近保存"))

    class Meta:
        verbose_name = _("理论作答")
        verbose_name_plural = _("理论作答")
        constraints = [
            models.UniqueConstraint(fields=["entry", "question"], name="uniq_theory_answer"),
            models.UniqueConstraint(fields=["entry", "client_id"], name="uniq_theory_answer_client_id"),
        ]

    def __str__(self):
        return f"{self.entry_id}:{self.question_id}"


class TheoryAnswerLog(models.Model):
    """Every accepted save, append-only: the trail for appeals and the record that a client id was used.

    A late retry of an older save (its client id is here but no longer on the `TheoryAnswer`) is
    acknowledged without overwriting the newer answer.
    """

    entry = models.ForeignKey("contests.Entry", on_delete=models.CASCADE, related_name="answer_log")
    question = models.ForeignKey("courses.Question", on_delete=models.PROTECT, related_name="+")
    client_id = models.UUIDField(_("客户端编号"))
    answer = models.JSONField(_("答案"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("修改次数"))
    created_at = models.DateTimeField(_("保存时间"))

    class Meta:
        verbose_name = _("作答记录")
        verbose_name_plural = _("作答记录")
        constraints = [models.UniqueConstraint(fields=["entry", "client_id"], name="uniq_answer_log_client_id")]

    def __str__(self):
        return f"{self.entry_id}:{self.question_id}#{self.revision}"
