"""Measure the 统计分析 pages on a scratch database of realistic shape (docs/PERFORMANCE.md, "Statistics").

The command re-runs itself in a subprocess on a fresh SQLite file (config/bench.py), never the
development database; with DATABASE_URL set, on a scratch PostgreSQL database of that server
(`bench_stats_<pid>`, dropped afterwards), built in SQL (stats/benchmark_pg.py) at 2,000,000
enrolments by default. The worker migrates, builds a tenth of the data (stats/benchmark.py), refreshes
the rollup cells and counts each page's queries, then builds the rest, refreshes, and times each page
through the Django test client as an organiser, and the same figures answered by plain GROUP BY
queries over the raw tables. The last line printed is one JSON object.
"""

import argparse
import datetime as dt
import json
import logging
import os
import statistics
import time
import warnings
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test import Client, override_settings
from django.utils import timezone

from config.bench import require_scratch, run_in_scratch

SCRATCH_ENV = "BENCH_STATS_SCRATCH"
GOAL_P50_MS, GOAL_P95_MS, GOAL_RATIO = 200, 500, 10


def _period() -> tuple[dt.date, dt.date]:
    end = timezone.localdate().replace(day=1)
    index = end.year * 12 + end.month - 1 - 11
    return dt.date(index // 12, index % 12 + 1, 1), end


def pages(provider: int) -> dict[str, tuple[dict, dict]]:
    """name → (the dashboard's query parameters, the same filters for the naive answer)."""
    start, end = _period()
    period = f"{start:%Y-%m}..{end:%Y-%m}"
    return {
        "overview": ({"figure": "enrolments", "by": "month", "period": period}, {}),
        "region": ({"figure": "enrolments", "by": "city", "province": "32", "period": period}, {"province": "32"}),
        "industry_level": (
            {"figure": "certificates", "by": "province", "industry": "C", "level": "3", "period": period},
            {"industry": "C", "level": 3},
        ),
        "drilldown": (
            {"figure": "enrolments", "by": "course", "provider": str(provider), "period": period},
            {"provider": provider},
        ),
    }


def _percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _naive_ms(name: str, filters: dict, repeat: int) -> float:
    from stats.benchmark import naive_overview, naive_table

    start, end = _period()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        naive_overview(start, end, **filters)
        naive_table(name, start, end, **filters)
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 1)


def _cold_ms(client: Client, url: str, repeat: int) -> float:
    """A page's p50 with its cached answers dropped first (the first viewer after a refresh)."""
    from django.core.cache import cache

    times = []
    for _ in range(repeat):
        cache.clear()
        t = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 1)


def refresh_all() -> float:
    from stats.services import months_mark_all_dirty, stats_refresh

    t = time.perf_counter()
    months_mark_all_dirty()
    stats_refresh()
    return round(time.perf_counter() - t, 1)


def _postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def run_bench(*, enrolments: int, repeat: int, naive_repeat: int, out=lambda line: None) -> dict:
    """Build, refresh and measure on the current database; returns the figures (tests call it tiny)."""
    from accounts.roles import organiser_group
    from courses.management.commands.bench_catalogue import measure
    from stats.benchmark import stats_generate
    from stats.benchmark_pg import stats_generate_pg

    if _postgres():
        stats_generate = stats_generate_pg  # noqa: F811 - the same records, built in SQL

    small = max(40, enrolments // 10)
    client = Client()
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        t = time.perf_counter()
        little = stats_generate(key="a", enrolments=small)
        out(f"生成 {small} 条报名：{time.perf_counter() - t:.1f} 秒；刷新 {refresh_all()} 秒")
        little["organiser"].groups.add(organiser_group())
        client.force_login(little["organiser"])
        urls = {n: "/stats/?" + urlencode(p) for n, (p, _f) in pages(little["provider"]).items()}
        at_small = {n: measure(client, u, repeat=2, warmup=1)["queries"] for n, u in urls.items()}
        t = time.perf_counter()
        full = stats_generate(key="b", enrolments=enrolments - small, seed=16)
        build_s = round(time.perf_counter() - t, 1)
        out(f"生成 {enrolments - small} 条报名：{build_s} 秒")
        refresh_s = refresh_all()
        out(f"全量刷新：{refresh_s} 秒")
        measured = {}
        for name, (params, filters) in pages(full["provider"]).items():
            url = "/stats/?" + urlencode(params)
            page = measure(client, url, repeat=repeat)
            page["cold_p50_ms"] = _cold_ms(client, url, max(3, repeat // 2))
            page["queries_small"] = at_small[name]
            page["naive_p50_ms"] = _naive_ms(name, filters, naive_repeat)
            page["ratio_naive"] = round(page["naive_p50_ms"] / max(page["p50_ms"], 0.1), 1)
            measured[name] = page
            out(f"{name}: {page}")
    from stats.models import StatCell

    return {
        "enrolments": enrolments,
        "database": "postgresql" if _postgres() else "sqlite",
        "learners": little["learners"] + full["learners"],
        "certificates": little["certificates"] + full["certificates"],
        "registrations": little["registrations"] + full["registrations"],
        "cells": StatCell.objects.count(),
        "build_s": build_s,
        "refresh_all_s": refresh_s,
        "pages": measured,
        "ratio_naive": min(p["ratio_naive"] for p in measured.values()),
    }


class Command(BaseCommand):
    help = "在临时数据库中生成二十万条报名等记录，测量统计分析页面的耗时、SQL 查询数，并与直接分组查询原始表对比。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--enrolments", type=int, default=None, help="报名记录数（默认 200000；设置 DATABASE_URL 时 2000000）"
        )
        parser.add_argument("--repeat", type=int, default=30, help="每个页面计时的请求次数（默认 30）")
        parser.add_argument("--naive-repeat", type=int, default=5, help="直接查询原始表的计时次数（默认 5）")
        parser.add_argument("--keep", action="store_true", help="保留临时数据库目录，便于事后检查")
        parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if not options["worker"]:
            default = 2_000_000 if os.environ.get("DATABASE_URL") else 200_000
            args = [f"--enrolments={options['enrolments'] or default}", f"--repeat={options['repeat']}"]
            args.append(f"--naive-repeat={options['naive_repeat']}")
            run_in_scratch(self, "bench_stats", args, marker=SCRATCH_ENV, keep=options["keep"], postgres=True)
            return
        require_scratch("bench_stats", SCRATCH_ENV)
        logging.getLogger("wagtail").setLevel(logging.WARNING)
        warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        self.stdout.write(f"迁移完成：{time.perf_counter() - started:.1f} 秒；负载 {load}")
        result = run_bench(
            enrolments=options["enrolments"],
            repeat=options["repeat"],
            naive_repeat=options["naive_repeat"],
            out=self.stdout.write,
        )
        met = all(
            p["p50_ms"] <= GOAL_P50_MS and p["p95_ms"] <= GOAL_P95_MS and p["queries"] == p["queries_small"]
            for p in result["pages"].values()
        )
        self.stdout.write(
            f"目标：p50 ≤ {GOAL_P50_MS} ms，p95 ≤ {GOAL_P95_MS} ms，查询数不随数据量增长 → {'达成' if met else '未达成'}；"
            f"比直接查询快 {result['ratio_naive']} 倍（目标 ≥ {GOAL_RATIO}）"
        )
        self.stdout.write(json.dumps(result, ensure_ascii=False))
