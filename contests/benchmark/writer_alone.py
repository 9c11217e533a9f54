"""The answer writer alone: CPU per answer of `services.theory_answers_save` in batches of a given
size, on a scratch SQLite database of its own (no server, no sockets; docs/PERFORMANCE.md).

    python -m contests.benchmark.writer_alone --scratch /tmp/answers-alone --batch 20 [--profile FILE]

The scratch directory gets the same round as `manage.py bench_round` (made once, kept for the next
run); each batch holds answers of different contestants to random questions of the 20-question
paper, as at 1,000 answers a second (by the end about one in eight replaces an answer given before).
"""

import argparse
import json
import os
import random
import time
import uuid
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scratch", required=True, type=Path, help="a directory of its own: the database goes there")
    parser.add_argument("--contestants", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--answers", type=int, default=10000)
    parser.add_argument("--profile", type=Path, help="write a cProfile pstats file of the stores here")
    args = parser.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)
    os.environ["SQLITE_PATH"] = str(args.scratch / "db.sqlite3")  # never the project's database
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    from contests.benchmark.setup import prepare
    from contests.services import AnswerSave
    from contests.writer import store

    setup_file = args.scratch / "setup.json"
    if not setup_file.exists():
        prepare(contestants=args.contestants, out=setup_file)
    setup = json.loads(setup_file.read_text())
    entries = [e["entry"] for e in setup["entries"]]
    questions = setup["questions"]
    rng = random.Random(1)  # noqa: S311 - reproducible load, not secrets

    def answer(question: dict):
        if question["kind"] == "true_false":
            return rng.choice([True, False])
        return [rng.choice(question["options"])]

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    cpu, stored, rejected = 0.0, 0, 0
    while stored < args.answers:
        saves = [
            AnswerSave(entry_id=entry, question_id=q["id"], client_id=str(uuid.uuid4()), answer=answer(q))
            for entry, q in zip(rng.sample(entries, args.batch), rng.choices(questions, k=args.batch), strict=True)
        ]
        started = time.process_time()
        if profiler:
            profiler.enable()
        outcomes = store(saves)
        if profiler:
            profiler.disable()
        cpu += time.process_time() - started
        stored += len(saves)
        rejected += sum(1 for o in outcomes if getattr(o, "code", None))
    if profiler:
        profiler.dump_stats(args.profile)
    print(
        json.dumps(
            {
                "batch": args.batch,
                "answers": stored,
                "rejected": rejected,
                "cpu_ms_per_answer": round(cpu * 1000 / stored, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
