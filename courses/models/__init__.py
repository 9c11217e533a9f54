from courses.kinds import QuestionKind

from .catalogue import Category, Course, CourseQuerySet, Delivery, Provider, ProviderMembership, SkillLevel
from .changes import OPEN_STATUSES, ChangeStatus, CourseChange
from .content import Chapter, Lesson, Question, Quiz, QuizDrawRule, QuizQuestion, ReviewPolicy
from .curation import FeaturedCourse, featured_today
from .imports import ImportFormat, ImportJob, ImportKind, ImportStatus
from .learning import AttemptStatus, Enrolment, LessonProgress, QuizAttempt
from .media import LessonVideo
from .pages import CourseCatalogPage, CoursePage, ProviderPage
from .paths import LearningPathIndexPage, LearningPathPage, LearningPathStep, PathKind
from .ratings import CourseRating
from .study import CreditedHours, LessonStudy, StudyClock, StudyDay

__all__ = [
    "AttemptStatus",
    "Category",
    "ChangeStatus",
    "Chapter",
    "Course",
    "CourseCatalogPage",
    "CourseChange",
    "CoursePage",
    "CourseRating",
    "CourseQuerySet",
    "CreditedHours",
    "Delivery",
    "Enrolment",
    "FeaturedCourse",
    "ImportFormat",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "LearningPathIndexPage",
    "LearningPathPage",
    "LearningPathStep",
    "Lesson",
    "LessonProgress",
    "LessonStudy",
    "LessonVideo",
    "OPEN_STATUSES",
    "PathKind",
    "Provider",
    "ProviderMembership",
    "ProviderPage",
    "Question",
    "QuestionKind",
    "Quiz",
    "QuizAttempt",
    "QuizDrawRule",
    "QuizQuestion",
    "ReviewPolicy",
    "SkillLevel",
    "StudyClock",
    "StudyDay",
    "featured_today",
]
