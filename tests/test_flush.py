"""tests/flush.py: a transactional test's teardown leaves the database as Django's flush would."""

import pytest

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from tests import flush
from tests.contests.live import wagtail_roots_ensure
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _rows() -> dict[str, int]:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
            cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        return counts


def test_every_table_ends_empty_but_the_content_types_and_permissions_post_migrate_makes():
    flush.flush("default")  # the state a teardown starts from (the first in a session flushes as Django does)
    kept = {t: n for t, n in _rows().items() if n}
    assert set(kept) == set(flush.KEPT) and all(kept.values())

    wagtail_roots_ensure()
    CourseFactory()
    user = UserFactory()
    stray = ContentType.objects.create(app_label="tests", model="stray")
    user.user_permissions.add(Permission.objects.create(codename="stray", name="stray", content_type=stray))
    assert len([n for n in _rows().values() if n]) > 8

    flush.flush("default")
    assert {t: n for t, n in _rows().items() if n} == kept
    assert not ContentType.objects.filter(model="stray").exists()


def test_content_types_and_permissions_a_test_deleted_are_made_again():
    flush.flush("default")
    before = set(Permission.objects.values_list("content_type__app_label", "codename"))
    Permission.objects.filter(codename__startswith="change_").delete()
    ContentType.objects.filter(app_label="courses").delete()

    flush.flush("default")
    assert set(Permission.objects.values_list("content_type__app_label", "codename")) == before
    assert ContentType.objects.get_for_model(Permission).model == "permission"
    assert ContentType.objects.filter(app_label="courses", model="course").exists()
