"""Catalogue pages for newly imported courses, written in bulk.

``services.course_page_ensure`` makes one page at a time through Wagtail (tree insert, validation,
revision, publish, log entries, queued search/reference tasks): about 30 pages a second here, so a
2,000-course file would hold its transaction for over a minute. This writes the same rows in bulk —
tree path and url_path, a revision (published for live pages), "created"/"published" log entries
and the search index entry — for new courses under their provider's page, inside the caller's
transaction. Existing courses still go through ``course_page_ensure``.

``course_pages_submit`` puts new draft pages before the reviewers (遴选, ``courses.review``) the same
way: the rows ``Workflow.start`` writes one page at a time, in bulk.
"""

import datetime as dt
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import slugify

from wagtail.models import Page, PageLogEntry, Revision, TaskState, WorkflowState
from wagtail.search.backends import get_search_backends

from courses import services
from courses.models import Course, CoursePage, ProviderPage


def _unique_slug(base: str, taken: set[str]) -> str:
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def course_pages_create(
    *, courses: list[Course], live: bool, user=None, published_at: list[dt.datetime] | None = None
) -> list[CoursePage]:
    """A page under the provider's page for each course (all of one provider, none with a page yet).

    Everything is stamped "now" unless `published_at` gives each page its own time (the demo generator
    spreads its courses over two years, so "newest first" means something).
    """
    if not courses:
        return []
    provider = courses[0].provider
    parent = ProviderPage.objects.filter(provider=provider).first()
    if parent is None:
        services.provider_setup(provider=provider)
        parent = ProviderPage.objects.get(provider=provider)
    taken = set(parent.get_children().values_list("slug", flat=True))
    last = parent.get_last_child()
    position = last._get_lastpos_in_path() if last else 0
    now = timezone.now()
    page_type = ContentType.objects.get_for_model(CoursePage)
    base_type = ContentType.objects.get_for_model(Page)
    stamps = published_at or [now] * len(courses)
    pages = []
    for k, (course, when) in enumerate(zip(courses, stamps, strict=True), 1):
        slug = _unique_slug(slugify(course.code) or f"course-{course.pk}", taken)
        pages.append(
            CoursePage(
                course=course,
                title=course.title,
                draft_title=course.title,
                slug=slug,
                path=Page._get_path(parent.path, parent.depth + 1, position + k),
                depth=parent.depth + 1,
                numchild=0,
                url_path=f"{parent.url_path}{slug}/",
                live=live,
                has_unpublished_changes=not live,
                first_published_at=when if live else None,
                last_published_at=when if live else None,
                latest_revision_created_at=when,
                locale_id=parent.locale_id,
                content_type=page_type,
                owner=user,
                translation_key=uuid.uuid4(),
            )
        )
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
    # Page is the concrete base and bulk-creates the shared rows; Django cannot bulk-create the
    # multi-table child, so its rows (page_ptr, course, body) go in with one executemany.
    Page.objects.bulk_create(pages, batch_size=500)
    fields = CoursePage._meta.local_concrete_fields
    for page in pages:
        page.page_ptr_id = page.id
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - quoted identifiers, values are parameters
        qn(CoursePage._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [[f.get_db_prep_save(getattr(p, f.attname), connection) for f in fields] for p in pages]
        )
    revisions = Revision.objects.bulk_create(
        [
            Revision(
                content_type=page_type,
                base_content_type=base_type,
                object_id=str(page.pk),
                created_at=page.latest_revision_created_at,
                user=user,
                approved_go_live_at=None,
                object_str=page.title,
                content=page.serializable_data(),
            )
            for page in pages
        ],
        batch_size=500,
    )
    revision_of = Revision.objects.filter(base_content_type=base_type, object_id=Cast(OuterRef("pk"), CharField()))
    revision_of = Subquery(revision_of.order_by("-pk").values("pk")[:1])
    ids = [p.pk for p in pages]
    update = {"latest_revision_id": revision_of}
    if live:
        update["live_revision_id"] = revision_of
    for start in range(0, len(ids), 500):
        Page.objects.filter(pk__in=ids[start : start + 500]).update(**update)
    entries = []
    for page, revision in zip(pages, revisions, strict=True):
        actions = ["wagtail.create", "wagtail.publish"] if live else ["wagtail.create"]
        entries += [
            PageLogEntry(
                content_type=page_type,
                label=page.title,
                action=action,
                timestamp=page.latest_revision_created_at,
                user=user,
                page_id=page.pk,
                revision=revision,
                content_changed=True,
                data={},
            )
            for action in actions
        ]
    PageLogEntry.objects.bulk_create(entries, batch_size=500)
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(CoursePage, pages)
    return pages


def course_pages_submit(*, pages: list[CoursePage], user=None) -> int:
    """Submit new draft pages (from ``course_pages_create``, under one provider page) for review: for
    each a workflow state on the first task of the workflow that covers them, its task state on the
    page's revision and the "workflow started" log entry. Reviewers are not sent one e-mail per page;
    the pages wait in their review queue. Returns how many were submitted (none when no active workflow
    with a task covers them: they stay drafts)."""
    if not pages:
        return 0
    workflow = pages[0].get_workflow()
    task = workflow.tasks.filter(active=True).first() if workflow else None
    if task is None:
        return 0
    task = task.specific
    if task.get_task_state_class() is not TaskState:  # a task with its own state model: Wagtail's way
        for page in pages:
            workflow.start(CoursePage.objects.get(pk=page.pk), user)
        return len(pages)
    page_type = ContentType.objects.get_for_model(CoursePage)
    base_type = ContentType.objects.get_for_model(Page)
    revision_of = dict(Page.objects.filter(pk__in=[p.pk for p in pages]).values_list("pk", "latest_revision_id"))
    states = WorkflowState.objects.bulk_create(
        [
            WorkflowState(
                content_type=page_type,
                base_content_type=base_type,
                object_id=str(page.pk),
                workflow=workflow,
                status=WorkflowState.STATUS_IN_PROGRESS,
                requested_by=user,
            )
            for page in pages
        ],
        batch_size=500,
    )
    task_states = TaskState.objects.bulk_create(
        [
            TaskState(
                workflow_state=state,
                revision_id=revision_of[page.pk],
                task=task,
                status=TaskState.STATUS_IN_PROGRESS,
            )
            for page, state in zip(pages, states, strict=True)
        ],
        batch_size=500,
    )
    for state, task_state in zip(states, task_states, strict=True):
        state.current_task_state = task_state
    WorkflowState.objects.bulk_update(states, ["current_task_state"], batch_size=500)
    now = timezone.now()
    PageLogEntry.objects.bulk_create(
        [
            PageLogEntry(
                content_type=page_type,
                label=page.title,
                action="wagtail.workflow.start",
                timestamp=now,
                user=user,
                page_id=page.pk,
                revision_id=revision_of[page.pk],
                data={
                    "workflow": {
                        "id": workflow.pk,
                        "title": workflow.name,
                        "status": WorkflowState.STATUS_IN_PROGRESS,
                        "next": {"id": task.pk, "title": task.name},
                        "task_state_id": task_state.pk,
                    }
                },
            )
            for page, task_state in zip(pages, task_states, strict=True)
        ],
        batch_size=500,
    )
    return len(pages)
