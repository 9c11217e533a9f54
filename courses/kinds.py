"""Question kinds and option labels: shared by the models, grading and the admin forms.

Apart from the models so that grading can name a kind without importing the models package,
whose `Question.clean()` calls grading.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

OPTION_LABELS = "ABCDEFGH"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    TRUE_FALSE = "true_false", _("判断")
    FILL = "fill", _("填空")
    SHORT = "short", _("简答")
    NUMERICAL = "numerical", _("数值")


GRADABLE_KINDS = {
    QuestionKind.SINGLE,
    QuestionKind.MULTIPLE,
    QuestionKind.TRUE_FALSE,
    QuestionKind.FILL,
    QuestionKind.NUMERICAL,
}
