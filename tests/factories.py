"""factory_boy factories for the learning domain. Tests build their own data; never demo data."""

import factory

from django.contrib.auth import get_user_model

from courses.models import Category, Chapter, Course, Lesson, Provider, Question, QuestionKind, Quiz, QuizQuestion
from courses.models.content import new_option_id


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    real_name = factory.Sequence(lambda n: f"学员{n}")
    password = factory.django.Password("pass-1234-word")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"培训机构{n}")
    slug = factory.Sequence(lambda n: f"provider-{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = "工业互联网"
    slug = "iiot"


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    provider = factory.SubFactory(ProviderFactory)
    code = factory.Sequence(lambda n: f"C{n:04d}")
    title = factory.Sequence(lambda n: f"测试课程{n}")
    category = factory.SubFactory(CategoryFactory)
    hours = 8
    summary = "课程简介"


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"第{n}章")
    sort_order = factory.Sequence(int)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    chapter = factory.SubFactory(ChapterFactory)
    course = factory.LazyAttribute(lambda o: o.chapter.course)
    title = factory.Sequence(lambda n: f"课时{n}")
    sort_order = factory.Sequence(int)
    body = "<p>正文</p>"
    # No minimum study time unless a test asks for one (tests/courses/study set it back to None).
    min_minutes = 0


def _options(n=4):
    return [{"id": new_option_id(), "text": f"选项{i + 1}"} for i in range(n)]


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    provider = factory.SubFactory(ProviderFactory)
    kind = QuestionKind.SINGLE
    stem = factory.Sequence(lambda n: f"第{n}题题干")
    options = factory.LazyFunction(_options)
    answer = factory.LazyAttribute(lambda o: [o.options[0]["id"]] if o.options else [])
    score = 10


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    course = factory.SubFactory(CourseFactory)
    title = "单元测验"


class QuizQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizQuestion

    quiz = factory.SubFactory(QuizFactory)
    question = factory.SubFactory(QuestionFactory)
    sort_order = factory.Sequence(int)
