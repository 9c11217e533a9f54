"""A track's practice bank for tests: three questions of a category, none on a contest paper."""

from contests.services import practice as practice_services
from courses.models import QuestionKind
from tests.factories import QuestionFactory


def practice_bank(track, provider, organiser, *, per_paper: int = 3) -> list:
    """single, true/false, fill (category 练习题), set as the track's practice bank."""
    questions = [
        QuestionFactory(provider=provider, category="练习题", explanation="A 是正确选项"),
        QuestionFactory(provider=provider, category="练习题", kind=QuestionKind.TRUE_FALSE, options=[], answer=False),
        QuestionFactory(
            provider=provider, category="练习题", kind=QuestionKind.FILL, options=[], answer=[["螺栓", "螺丝"]]
        ),
    ]
    practice_services.practice_settings_save(
        track=track, by=organiser, provider=provider, category="练习题", questions_per_paper=per_paper, enabled=True
    )
    return questions
