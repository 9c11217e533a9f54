"""training/demo.py and courses/demo/curation.py: the demo's data holds together (no database needed).

The seed itself, run twice, is tested with the whole of seed_demo in tests/cms/test_seed_demo.py.
"""

from accounts.idcard import validate_id_number
from courses.demo.curation import FEATURED, HIDDEN, PATH, RATINGS
from courses.demo.data import COURSES, LEARNERS
from training.demo import CLASSES, ENTERPRISES, roster_rows

CODES = {spec.code for spec in COURSES}
DONE = ("complete", "retry_complete")


def test_workers_have_valid_distinct_id_and_mobile_numbers():
    rows = [row for n, enterprise in enumerate(ENTERPRISES) for row in roster_rows(n, enterprise)]
    for _username, _name, phone, number, department, job in rows:
        validate_id_number(number)
        assert len(phone) == 11 and phone[1] in "3456789" and department and job
    assert len({row[2] for row in rows}) == len({row[3] for row in rows}) == len(rows)
    usernames = [row[0] for row in rows if row[0]]
    assert len(set(usernames)) == len(usernames)
    for enterprise in ENTERPRISES:
        assert 12 <= len(enterprise.workers) <= 20
        assert any(not row[0] for row in enterprise.workers)  # someone is still invited


def test_classes_name_workers_of_their_enterprise_and_demo_courses():
    workers = {e.name: {row[0] or row[1] for row in e.workers} for e in ENTERPRISES}
    for spec in CLASSES:
        assert set(spec.members) <= workers[spec.enterprise]
        assert set(spec.progress) <= set(spec.members) and 2 <= len(spec.courses) <= 4
        assert set(spec.courses) <= CODES
        assert all(len(plans) <= len(spec.courses) for plans in spec.progress.values())
        assert spec.start < spec.deadline
    qiye_worker = [s for s in CLASSES if "qiye_worker" in s.members]
    assert len(qiye_worker) == 1 and qiye_worker[0].deadline >= 28 and qiye_worker[0].start < 0
    assert any(s.deadline < 0 for s in CLASSES) and any(s.provider for s in CLASSES)


def test_every_rater_completes_the_course_in_the_demo():
    completed = {(username, code) for username, *_r, plan in LEARNERS for code, how in plan if how == "complete"}
    for spec in CLASSES:
        for username, plans in spec.progress.items():
            completed |= {(username, code) for code, how in zip(spec.courses, plans, strict=False) if how in DONE}
    raters = [(username, code) for username, code, *_rest in [*RATINGS, HIDDEN]]
    assert set(raters) <= completed and len(set(raters)) == len(raters)
    assert 8 <= len(raters) <= 15
    assert {code for code, _c in FEATURED} <= CODES and set(PATH["courses"]) <= CODES
