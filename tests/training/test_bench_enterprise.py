"""The enterprise bench_enterprise builds: what it inserts in bulk is what the services would have
written (enrolment on assignment, credits and certificates of completed courses), and the reports
read it back; the command's row counter counts an exported sheet's rows."""

import datetime as dt
import io
import zipfile

from courses.models import CreditedHours, Enrolment
from training import exports, reports
from training.benchmark import enterprise_generate
from training.management.commands.bench_enterprise import _data_rows
from training.models import ClassMember, RosterEntry


def test_a_small_enterprise_is_consistent_and_reads_back(db, tmp_path):
    made = enterprise_generate(key="t", workers=30, classes=3, courses_per_class=4, today=dt.date(2026, 12, 5))
    organisation = made["organisation"]
    assert RosterEntry.objects.filter(organisation=organisation, status="active").count() == 30
    assert ClassMember.objects.filter(training_class__organisation=organisation).count() == 30
    assert made["rows"]["enrolments"] == Enrolment.objects.count() == 30 * 4
    completed = Enrolment.objects.filter(completed_at__isnull=False)
    assert completed.count() == CreditedHours.objects.count() == made["rows"]["certificates"]
    assert all(e.certificate.course_id == e.course_id for e in completed.select_related("certificate"))

    report = reports.ClassReport(made["classes"][0])
    rows = list(report.iter_rows())
    assert len(rows) == 10 and all(len(r.cells) == 4 for r in rows)
    assert report.summary()["completed"] == sum(r.completed for r in rows)
    done = sum(c.completed for r in rows for c in r.cells)
    assert (
        done == completed.filter(learner__roster_entries__class_memberships__training_class=made["classes"][0]).count()
    )

    path = tmp_path / "e.xlsx"
    path.write_bytes(b"".join(exports.xlsx_stream(exports.enterprise_sheets(organisation))))
    assert _data_rows(path) == 30 * 4
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as package:
        assert package.testzip() is None
