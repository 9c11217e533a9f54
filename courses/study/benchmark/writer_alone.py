"""The heartbeat writer alone: CPU per beat of `services.study_beats_store` in batches of a given size,
on a scratch SQLite database of its own (no server, no sockets; docs/PERFORMANCE.md).

    python -m courses.study.benchmark.writer_alone --scratch /tmp/writer-alone --learners 500 --batch 7

The scratch directory gets the same courses and learners as `manage.py bench_heartbeats` (made once,
kept for the next run); every learner opens its lesson, then beats once a round for six rounds.
"""

import argparse
import json
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scratch", required=True, type=Path, help="a directory of its own: the database goes there")
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--batch", type=int, default=7)
    args = parser.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)
    os.environ["SQLITE_PATH"] = str(args.scratch / "db.sqlite3")  # never the project's database
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from courses.study import crediting, services
    from courses.study.benchmark.setup import prepare

    setup_file = args.scratch / "setup.json"
    if not setup_file.exists():
        prepare(learners=args.learners, courses=10, out=setup_file)
    entries = json.loads(setup_file.read_text())["entries"][: args.learners]
    users = get_user_model().objects.in_bulk([e["learner"] for e in entries])
    opened = [services.study_open(learner=users[e["learner"]], lesson_id=e["lesson"]) for e in entries]
    position = dict.fromkeys((o.study_id for o in opened), 0.0)
    cpu, stored = 0.0, 0
    for seq in range(2, 8):
        time.sleep(1.2)  # the wall-clock the beats claim
        for i in range(0, len(opened), args.batch):
            beats = []
            for o in opened[i : i + args.batch]:
                p = position[o.study_id]
                position[o.study_id] = p + 1.0
                claim = crediting.Claim(seq=seq, position=p + 1, ranges=((p, p + 1.0),), active=1.0, visible=True)
                beats.append(
                    services.StudyBeat(
                        study_id=o.study_id,
                        learner_id=o.learner_id,
                        lesson_id=o.lesson_id,
                        course_id=o.course_id,
                        session=o.session,
                        rules=o.rules,
                        claim=claim,
                        received_at=time.time(),
                    )
                )
            started = time.process_time()
            services.study_beats_store(beats=beats)
            cpu += time.process_time() - started
            stored += len(beats)
    print(json.dumps({"batch": args.batch, "beats": stored, "cpu_ms_per_beat": round(cpu * 1000 / stored, 3)}))


if __name__ == "__main__":
    main()
