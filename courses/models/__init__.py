from courses.kinds import QuestionKind

from .catalogue import Category, Course, CourseQuerySet, Delivery, Provider, ProviderMembership, SkillLevel
from .content import Chapter, Lesson, Question, Quiz, QuizDrawRule, QuizQuestion, ReviewPolicy
from .curation import FeaturedCourse, featured_today
from .imports import ImportFormat, ImportJob, ImportKind, ImportStatus
from .learning import AttemptStatus, Enrolment, LessonProgress, QuizAttempt
from .media import LessonVideo
from .pages import CourseCatalogPage, CoursePage, ProviderPage
from .study import CreditedHours, LessonStudy, StudyClock, StudyDay

__all__ = [
    "AttemptStatus",
    "Category",
    "Chapter",
    "Course",
    "CourseCatalogPage",
    "CoursePage",
    "CourseQuerySet",
    "CreditedHours",
    "Delivery",
    "Enrolment",
    "FeaturedCourse",
    "ImportFormat",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "Lesson",
    "LessonProgress",
    "LessonStudy",
    "LessonVideo",
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
