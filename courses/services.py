"""Every write in the learning domain. Views, admin, imports and commands call these."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.models import Collection, GroupCollectionPermission

from accounts.roles import PROVIDER_STAFF_GROUP, can_manage_provider, is_organiser
from cms.services import site_ensure
from organisations.services import organisation_for_provider

from . import review, selectors, videos
from .completion import (  # noqa: F401 - callers use services.<name>
    enrolment_refresh_completion,
    hours_credit,
    hours_credit_missing,
)
from .models import (
    Chapter,
    Course,
    CourseCatalogPage,
    CoursePage,
    Enrolment,
    LearningPathIndexPage,
    LearningPathPage,
    LearningPathStep,
    Lesson,
    LessonProgress,
    LessonVideo,
    PathKind,
    Provider,
    ProviderMembership,
    ProviderPage,
)
from .study import policy as study_policy
from .text import normalise_search

# ---------------------------------------------------------------- providers

# Page permissions on the provider's subtree: courses/review.py (publish only for a trusted provider).
PROVIDER_MEDIA_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    # Lesson videos (courses.LessonVideo): wagtailmedia checks its own model's permissions, and has no
    # "choose" permission: its chooser lists what the user may change (their collection, their uploads).
    ("wagtailmedia", "add_media"),
    ("wagtailmedia", "change_media"),
]


# Model permissions on the course records; courses.permissions narrows them to the member's providers.
PROVIDER_STAFF_MODEL_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("course", "chapter", "lesson", "quiz", "question")
    for action in ("add", "change", "delete", "view")
]


def provider_staff_group() -> Group:
    """The shared group that lets provider staff into the admin at all."""
    group, _created = Group.objects.get_or_create(name=PROVIDER_STAFF_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="courses", codename__in=PROVIDER_STAFF_MODEL_PERMISSIONS)
    )
    return group


@transaction.atomic
def catalogue_page_ensure() -> CourseCatalogPage:
    """The course catalogue at /courses/ under the home page, its review workflow (遴选), the
    learning-path index at /paths/ and the provider-staff group, once.

    The site tree itself (home page, Site) is cms's; the catalogue is the courses app's own page.
    """
    home = site_ensure()
    catalogue = CourseCatalogPage.objects.first()
    if catalogue is None:
        catalogue = CourseCatalogPage(title=_("课程目录"), slug="courses", intro=_("找到适合您的技能课程"))
        home.add_child(instance=catalogue)
        catalogue.save_revision().publish()
    review.review_workflow_ensure(catalogue=catalogue)
    learning_path_index_ensure(home=home)
    provider_staff_group()
    return catalogue


@transaction.atomic
def learning_path_index_ensure(*, home=None) -> LearningPathIndexPage:
    """学习专题 at /paths/ under the home page, once (organisers add paths under it)."""
    index = LearningPathIndexPage.objects.first()
    if index is None:
        home = home or site_ensure()
        index = LearningPathIndexPage(
            title=_("学习专题"), slug="paths", intro=_("围绕职业和主题精选的系列课程，学完即可获得专题结业证书")
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


@transaction.atomic
def learning_path_create(
    *,
    title: str,
    courses: list[Course],
    theme: str = "",
    kind: str = PathKind.OCCUPATION,
    intro: str = "",
    optional: tuple[Course, ...] = (),
    parent=None,
    slug: str = "",
    publish: bool = True,
    user=None,
) -> LearningPathPage:
    """A path of `courses` in this order (those in `optional` not required) under `parent` (the /paths/
    index by default, or a provider's page: then only that provider's courses). For the demo, imports
    and tests; editors use the page editor, whose form keeps the same rules."""
    parent = (parent or learning_path_index_ensure()).specific
    provider_id = getattr(parent, "provider_id", None)
    if user is not None and not (is_organiser(user) if provider_id is None else can_manage_provider(user, provider_id)):
        raise PermissionDenied
    if not courses:
        raise ValidationError(_("请至少添加一门课程"))
    if len({c.pk for c in courses}) != len(courses):
        raise ValidationError(_("同一门课程只能在专题中出现一次"))
    if provider_id and any(c.provider_id != provider_id for c in courses):
        raise ValidationError(_("只能选择本机构的课程"))
    optional_ids = {c.pk for c in optional}
    if all(c.pk in optional_ids for c in courses):
        raise ValidationError(_("请至少将一门课程设为必修：学完全部必修课程即可获得专题结业证书"))
    page = LearningPathPage(title=title, slug=slug or slugify(title, allow_unicode=True), kind=kind, theme=theme)
    page.intro = intro
    page.steps = [
        LearningPathStep(course=course, required=course.pk not in optional_ids, sort_order=i)
        for i, course in enumerate(courses)
    ]
    if not page.slug:
        page.slug = f"path-{LearningPathPage.objects.count() + 1}"
    page.live, page.has_unpublished_changes = False, True  # a draft until published
    parent.add_child(instance=page)
    if publish:  # a provider's path goes through the same review (遴选) as its course pages
        provider = parent.provider if provider_id else None
        direct = user is None or provider is None or review.publishes_directly(provider=provider, user=user)
        review.page_go_live(page=page, user=user, direct=direct)
        page.refresh_from_db()
    return page


@transaction.atomic
def provider_setup(*, provider: Provider, catalogue: CourseCatalogPage | None = None) -> Provider:
    """Give a provider its page, its media collection, a group scoped to both and its entry in the
    organisation registry (idempotent); after a rename, the page title and the collection name follow
    the provider's name.

    Wagtail's own permission checks then confine the provider's staff to this subtree; they publish
    there only while the provider is trusted (courses/review.py), otherwise they submit for review.
    """
    catalogue = catalogue or CourseCatalogPage.objects.first()
    if catalogue is None:
        raise ValidationError(_("请先创建课程目录页面"))
    review.review_workflow_ensure(catalogue=catalogue)
    page = ProviderPage.objects.filter(provider=provider).first()
    if page is None:
        page = ProviderPage(title=provider.name, slug=provider.slug, provider=provider)
        catalogue.add_child(instance=page)
        page.save_revision().publish()
    elif page.title != provider.name:  # renamed: the catalogue follows (the page's URL stays)
        page.title = page.draft_title = provider.name
        page.save(update_fields=["title", "draft_title"])
    if provider.collection is None:
        provider.collection = Collection.get_first_root_node().add_child(name=f"{provider.name}")
    elif provider.collection.name != provider.name:
        provider.collection.name = provider.name
        provider.collection.save(update_fields=["name"])
    if provider.group is None:
        provider.group, _created = Group.objects.get_or_create(name=f"机构:{provider.slug}")
    if provider.organisation_id is None:  # its entry in the registry (organisations)
        organisation = organisation_for_provider(name=provider.name, short_name=provider.short_name)
        if not Provider.objects.filter(organisation=organisation).exists():
            provider.organisation = organisation
    provider.save(update_fields=["collection", "group", "organisation"])
    review.provider_page_permissions_sync(provider=provider, page=page)
    for app_label, codename in PROVIDER_MEDIA_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=provider.group,
            collection=provider.collection,
            permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
        )
    return provider


@transaction.atomic
def provider_trust_set(*, provider: Provider, trusted: bool, by) -> Provider:
    """Mark a provider trusted (its staff publish directly) or not (organisers review its pages first)."""
    if not is_organiser(by):
        raise PermissionDenied
    provider.trusted = trusted
    provider.save(update_fields=["trusted"])
    return provider_setup(provider=provider)


@transaction.atomic
def provider_member_add(*, provider: Provider, user) -> ProviderMembership:
    membership, _created = ProviderMembership.objects.get_or_create(provider=provider, user=user)
    if provider.group is None:
        provider_setup(provider=provider)
    user.groups.add(provider.group, provider_staff_group())
    user._provider_ids = None
    return membership


@transaction.atomic
def provider_member_remove(*, provider: Provider, user) -> bool:
    """Take a user off a provider's staff: its group goes, and the staff role too once no provider is
    left (their courses stay with the provider). False when they were not staff of it."""
    deleted, _rows = ProviderMembership.objects.filter(provider=provider, user=user).delete()
    if provider.group is not None:
        user.groups.remove(provider.group)
    if not ProviderMembership.objects.filter(user=user).exists():
        user.groups.remove(provider_staff_group())
    user._provider_ids = None
    return bool(deleted)


# ------------------------------------------------------------------ lesson videos


@transaction.atomic
def lesson_video_create(
    *, title: str, file, collection, uploaded_by=None, trusted_probe: videos.Probe | None = None
) -> LessonVideo:
    """A lesson video in `collection`, from a Django File. The file is checked and measured by ffprobe
    (ValidationError if a browser could not play it). `trusted_probe` skips ffprobe with the given
    measurements: only for files shipped with the code whose figures are known (the demo videos)."""
    video = LessonVideo(title=title, type="video", collection=collection, uploaded_by_user=uploaded_by)
    video.file.save(file.name.rsplit("/", 1)[-1], file, save=False)
    try:
        found = videos.probe(video.file.path) if trusted_probe is None else trusted_probe
        video.duration, video.width, video.height = found.duration, found.width, found.height
        video.full_clean(exclude=["file"])
        video.save()
    except BaseException:
        video.file.storage.delete(video.file.name)
        raise
    return video


# ------------------------------------------------------------------ courses


def course_reindex(*, course_id: int) -> None:
    """Rebuild the normalised text the catalogue search matches against."""
    course = Course.objects.select_related("provider", "category").filter(pk=course_id).first()
    if course is None:
        return
    parts = [course.title, course.code, course.summary, course.instructors, course.provider.name]
    parts.append(course.provider.short_name)
    if course.category:
        parts.append(course.category.name)
    parts += list(course.chapters.values_list("title", flat=True))
    parts += list(course.lessons.values_list("title", flat=True))
    text = "\n".join(normalise_search(p) for p in parts if p)
    Course.objects.filter(pk=course_id).update(search_text=text)


def course_reindex_many(*, course_ids) -> None:
    """course_reindex for many courses in a handful of queries (bulk imports bypass the signals)."""
    ids = list(course_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        courses = list(Course.objects.select_related("provider", "category").filter(pk__in=chunk))
        titles: dict[int, list[str]] = {c.pk: [] for c in courses}
        for course_id, title in Chapter.objects.filter(course_id__in=chunk).values_list("course_id", "title"):
            titles[course_id].append(title)
        for course_id, title in Lesson.objects.filter(course_id__in=chunk).values_list("course_id", "title"):
            titles[course_id].append(title)
        for course in courses:
            parts = [course.title, course.code, course.summary, course.instructors, course.provider.name]
            parts.append(course.provider.short_name)
            if course.category:
                parts.append(course.category.name)
            course.search_text = "\n".join(normalise_search(p) for p in [*parts, *titles[course.pk]] if p)
        Course.objects.bulk_update(courses, ["search_text"], batch_size=500)


@transaction.atomic
def course_page_ensure(*, course: Course, publish: bool = True, user=None) -> CoursePage:
    """Create (or refresh) the catalogue page of a course under its provider's page.

    `publish` puts it live as far as 遴选 allows (courses/review.py): published at once for a trusted
    provider or an organiser, otherwise saved and submitted for an organiser's review. No `user` is the
    platform itself (demo data, management commands), which publishes; every request passes its user.
    """
    if user is not None and not can_manage_provider(user, course.provider_id):
        raise PermissionDenied
    page = CoursePage.objects.filter(course=course).first()
    if page is None:
        parent = ProviderPage.objects.filter(provider_id=course.provider_id).first()
        if parent is None:
            provider_setup(provider=course.provider)
            parent = ProviderPage.objects.get(provider_id=course.provider_id)
        # A draft until published (Page.live defaults to True, which would list it at once).
        page = CoursePage(
            course=course,
            title=course.title,
            slug=slugify(course.code) or f"course-{course.pk}",  # codes are unique per provider
            live=False,
            has_unpublished_changes=True,
        )
        parent.add_child(instance=page)
    elif page.title != course.title:
        page.title = page.draft_title = course.title
        page.save()
    if publish:
        direct = user is None or review.publishes_directly(provider=course.provider, user=user)
        review.page_go_live(page=page, user=user, direct=direct)
        page.refresh_from_db()
    return page


# ---------------------------------------------------------------- learners


@transaction.atomic
def enrolment_create(*, learner, course: Course) -> Enrolment:
    if not Course.objects.published().filter(pk=course.pk).exists():
        raise ValidationError(_("该课程暂未开放报名"))
    enrolment, _created = Enrolment.objects.get_or_create(learner=learner, course=course)
    return enrolment


@transaction.atomic
def enrolment_create_many(*, learner_ids, course_ids) -> None:
    """enrolment_create for every learner in every course at once (an employer's class assigning its
    courses): the same rule, published courses only, and an existing enrolment is kept as it is.
    One query for the courses and one insert per 1,000 enrolments, whatever is already there."""
    learner_ids = list(dict.fromkeys(learner_ids))
    published = list(Course.objects.published().filter(pk__in=set(course_ids)).values_list("pk", flat=True))
    if not learner_ids or not published:
        return
    rows = (Enrolment(learner_id=learner, course_id=course) for learner in learner_ids for course in published)
    Enrolment.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def _enrolment_for(learner, course_id: int) -> Enrolment:
    enrolment = Enrolment.objects.select_related("course").filter(learner=learner, course_id=course_id).first()
    if enrolment is None:
        raise PermissionDenied(_("请先报名该课程"))
    return enrolment


@transaction.atomic
def lesson_complete(*, learner, lesson: Lesson) -> Enrolment:
    """Mark a lesson done. A lesson with a quiz is done only by passing the quiz; a text lesson only after
    its minimum study time, a video lesson only once enough of it was watched (courses/study)."""
    enrolment = _enrolment_for(learner, lesson.course_id)
    if not selectors.lesson_is_unlocked(enrolment, lesson):
        raise ValidationError(_("请先完成前面的必修课时"))
    if lesson.quiz_id:
        raise ValidationError(_("本课时需要通过测验才能完成"))
    if not LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).exists():
        refusal = study_policy.completion_refusal(enrolment=enrolment, lesson=lesson)
        if refusal:
            raise ValidationError(refusal)
    _progress_record(enrolment, lesson)
    return enrolment


def _progress_record(enrolment: Enrolment, lesson: Lesson) -> None:
    LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    enrolment.last_activity_at = timezone.now()
    enrolment.save(update_fields=["last_activity_at"])
    enrolment_refresh_completion(enrolment=enrolment)


# ------------------------------------------------------------------ quizzes
# The attempt rules live in courses/quizzes.py; these names stay importable from here.
from .quizzes import quiz_attempt_mark, quiz_attempt_save, quiz_attempt_start, quiz_attempt_submit  # noqa: E402, F401
