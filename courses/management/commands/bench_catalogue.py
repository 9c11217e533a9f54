"""Measure the catalogue, search and course pages on a scratch database with thousands of courses.

The command re-runs itself in a subprocess whose SQLITE_PATH and MEDIA_ROOT point into a temporary
directory, so the development database is never opened. The worker migrates the scratch database,
generates courses with courses.demo.generate, and times requests through django.test.Client at a small and
at the full course count, so the query counts show whether they grow with the catalogue.
The last line printed is one JSON object with the figures (docs/PERFORMANCE.md reads it).
"""

import argparse
import json
import logging
import math
import os
import statistics
import time
import warnings
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from config.bench import require_scratch, run_in_scratch

SCRATCH_ENV = "BENCH_CATALOGUE_SCRATCH"
SEARCH_WORD = "安全"  # appears inside titles such as “面向石化的工控安全实践”
LESSON_WORD = "复盘"  # appears only in generated lesson titles (courses.demo.data.LESSON_ONLY)
FILTER = {"category": "cybersecurity", "level": 3, "delivery": "online"}
GOAL_QUERIES, GOAL_P50_MS = 15, 60


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def measure(client: Client, url: str, *, repeat: int, warmup: int = 3) -> dict:
    """Server time of `repeat` GETs after `warmup` ones, and the SQL queries one request runs."""
    for _ in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"GET {url} → {response.status_code}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = len(ctx)  # read now: the next request clears the connection's query log
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 95), 1),
        # CPU time of this process alone: steadier than wall time on a shared machine
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "queries": queries,
    }


def search_checks(client: Client) -> dict:
    """The substring search must find a word in the middle of titles and words only in lesson titles."""
    from courses.models import Course

    live = Course.objects.published()
    hits = live.search(SEARCH_WORD)
    mid = hits.filter(title__contains=SEARCH_WORD).exclude(title__startswith=SEARCH_WORD)
    if not mid.exists():
        raise CommandError(f"搜索“{SEARCH_WORD}”没有找到标题中间包含该词的课程")
    lesson_hits = live.search(LESSON_WORD)
    if not lesson_hits.exists() or lesson_hits.filter(title__contains=LESSON_WORD).exists():
        raise CommandError(f"搜索“{LESSON_WORD}”应当只通过课时名称命中课程")
    response = client.get("/courses/?" + urlencode({"q": LESSON_WORD}))
    shown = response.content.decode()
    if not any(title in shown for title in lesson_hits.values_list("title", flat=True)[:50]):
        raise CommandError(f"搜索“{LESSON_WORD}”的结果页没有显示命中的课程")
    return {"hits": hits.count(), "mid_title_hits": mid.count(), "lesson_title_hits": lesson_hits.count()}


def measure_all(*, repeat: int) -> dict:
    """Catalogue, filtered catalogue, Chinese search and one course page against the current database."""
    from courses.models import Course

    client = Client()
    course = Course.objects.published().select_related("page").order_by("pk")
    course = course[course.count() // 2]
    urls = {
        "catalogue": "/courses/",
        "filtered": "/courses/?" + urlencode(FILTER),
        "search": "/courses/?" + urlencode({"q": SEARCH_WORD}),
        "course": course.page.url,
    }
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        pages = {name: measure(client, url, repeat=repeat) for name, url in urls.items()}
        checks = search_checks(client)
    live = Course.objects.published()
    pages["filtered"]["hits"] = (
        live.filter(category__slug=FILTER["category"], level=FILTER["level"])
        .filter(delivery=FILTER["delivery"])
        .count()
    )
    pages["search"].update(checks)
    return pages


class Command(BaseCommand):
    help = "在临时数据库中生成大量课程，测量课程目录、筛选、中文搜索和课程页面的耗时与 SQL 查询数。"

    def add_arguments(self, parser):
        parser.add_argument("--courses", type=int, default=5000, help="课程数量（默认 5000）")
        parser.add_argument("--small", type=int, default=200, help="先在这个数量下测一次，对比查询数（默认 200）")
        parser.add_argument("--repeat", type=int, default=30, help="每个页面计时的请求次数（默认 30）")
        parser.add_argument("--keep", action="store_true", help="保留临时数据库目录，便于事后检查")
        parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if not 0 < options["small"] <= options["courses"]:
            raise CommandError("需要 0 < --small ≤ --courses")
        if options["worker"]:
            return self.worker(**options)
        return self.parent(**options)

    # ------------------------------------------------------------ parent

    def parent(self, *, courses, small, repeat, keep, **_options):
        args = [f"--courses={courses}", f"--small={small}", f"--repeat={repeat}"]
        run_in_scratch(self, "bench_catalogue", args, marker=SCRATCH_ENV, keep=keep)

    # ------------------------------------------------------------ worker

    def worker(self, *, courses, small, repeat, **_options):
        require_scratch("bench_catalogue", SCRATCH_ENV)
        from courses.demo.generate import courses_generate

        logging.getLogger("wagtail").setLevel(logging.WARNING)
        # DEBUG is off here, so WhiteNoise looks for collected static files; the bench does not need them.
        warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
        out = self.stdout.write
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        out(f"迁移完成：{time.perf_counter() - started:.1f} 秒；负载 {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

        def grow(count: int) -> None:
            t = time.perf_counter()
            created = courses_generate(count=count)
            rate = created / (time.perf_counter() - t)
            out(
                f"生成 {created} 门课程（含章节、课时、封面和已发布页面）：{time.perf_counter() - t:.1f} 秒，{rate:.0f} 门/秒"
            )

        grow(small)
        at_small = measure_all(repeat=repeat)
        self._print(small, at_small)
        grow(courses)
        at_full = measure_all(repeat=repeat)
        self._print(courses, at_full)

        worst_queries = max(p["queries"] for p in at_full.values())
        grows = {name: at_full[name]["queries"] - at_small[name]["queries"] for name in at_full}
        met = (
            worst_queries <= GOAL_QUERIES
            and not any(grows.values())
            and at_full["catalogue"]["p50_ms"] <= GOAL_P50_MS
            and at_full["search"]["p50_ms"] <= GOAL_P50_MS
        )
        out(
            f"目标：每页查询 ≤ {GOAL_QUERIES} 且不随课程数增长，目录和搜索 p50 ≤ {GOAL_P50_MS} ms → {'达成' if met else '未达成'}"
        )
        result = {
            "courses": courses,
            "pages": at_full,
            f"queries_at_{small}": {name: p["queries"] for name, p in at_small.items()},
            f"p50_ms_at_{small}": {name: p["p50_ms"] for name, p in at_small.items()},
            "goal_met": met,
        }
        out(json.dumps(result, ensure_ascii=False))

    def _print(self, count: int, pages: dict) -> None:
        self.stdout.write(f"— {count} 门课程 —")
        for name, p in pages.items():
            extra = f"，命中 {p['hits']}" if "hits" in p else ""
            self.stdout.write(
                f"  {name:<10} p50 {p['p50_ms']:>6.1f} ms  p95 {p['p95_ms']:>6.1f} ms  "
                f"CPU p50 {p['cpu_p50_ms']:>6.1f} ms  查询 {p['queries']:>2}{extra}"
            )
