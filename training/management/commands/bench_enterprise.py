"""Measure the employer's reports on a scratch database with an enterprise of 20,000 workers.

The command re-runs itself in a subprocess on a fresh SQLite file in a temporary directory
(config/bench.py), so the development database is never opened. The worker migrates, builds a
200-worker enterprise (10 classes) and measures the report pages, builds the 20,000-worker one (100
classes of 10 assigned courses, training/benchmark.py) and measures again, then times the XLSX
export of the whole enterprise through the view in a child process of its own, whose peak RSS is the
export's memory. The last line printed is one JSON object (docs/PERFORMANCE.md, "Enterprise reports").
"""

import argparse
import json
import logging
import os
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import Client, override_settings
from django.urls import reverse

from config.bench import peak_rss_mb, require_scratch, run_in_scratch

SCRATCH_ENV = "BENCH_ENTERPRISE_SCRATCH"
GOAL_QUERIES, GOAL_P50_MS, GOAL_EXPORT_S, GOAL_EXPORT_MB = 20, 150, 10, 300


def _pages(generated: dict) -> dict[str, str]:
    """The URLs measured: the class report and the worker report of a class in the middle, and two more."""
    classes = generated["classes"]
    middle = classes[len(classes) // 2]
    entry = middle.members.select_related("entry").order_by("entry__name", "pk")[middle.members.count() // 2].entry_id
    organisation = generated["organisation"].pk
    return {
        "class_report": reverse("training:report_class", args=[middle.pk]),
        "worker_report": reverse("training:report_worker", args=[entry]),
        "class_report_sorted": reverse("training:report_class", args=[middle.pk])
        + "?sort=-progress&status=in_progress",
        "year_summary": reverse("training:report_year", args=[organisation]),
    }


def _measure(client: Client, urls: dict[str, str], repeat: int) -> dict:
    from courses.management.commands.bench_catalogue import measure

    return {name: measure(client, url, repeat=repeat) for name, url in urls.items()}


class Command(BaseCommand):
    help = "在临时数据库中生成两万名职工的企业，测量班级报表、学员报表的耗时与 SQL 查询数，以及全企业 Excel 导出的耗时和内存。"

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=20000, help="职工人数（默认 20000）")
        parser.add_argument("--classes", type=int, default=100, help="培训班数量（默认 100）")
        parser.add_argument("--courses", type=int, default=10, help="每个班分配的课程数（默认 10）")
        parser.add_argument("--small", type=int, default=200, help="对比查询数的小企业职工人数（默认 200，10 个班）")
        parser.add_argument("--repeat", type=int, default=30, help="每个页面计时的请求次数（默认 30）")
        parser.add_argument("--keep", action="store_true", help="保留临时数据库目录，便于事后检查")
        parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--export-only", type=int, default=0, help=argparse.SUPPRESS)  # organisation id
        parser.add_argument("--manager", default="", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["worker"]:
            require_scratch("bench_enterprise", SCRATCH_ENV)
            logging.getLogger("wagtail").setLevel(logging.WARNING)
            warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
            if options["export_only"]:
                return self.export(options["export_only"], options["manager"])
            return self.worker(**options)
        args = [f"--{k}={options[k]}" for k in ("workers", "classes", "courses", "small", "repeat")]
        run_in_scratch(self, "bench_enterprise", args, marker=SCRATCH_ENV, keep=options["keep"])

    # ------------------------------------------------------------ worker

    def worker(self, *, workers, classes, courses, small, repeat, **_options):
        from training.benchmark import enterprise_generate

        out = self.stdout.write
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        out(f"迁移完成：{time.perf_counter() - started:.1f} 秒；负载 {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

        def grow(key: str, count: int, class_count: int) -> dict:
            t = time.perf_counter()
            generated = enterprise_generate(key=key, workers=count, classes=class_count, courses_per_class=courses)
            rows = generated["rows"]
            out(
                f"生成 {count} 名职工、{class_count} 个班：{time.perf_counter() - t:.1f} 秒 "
                f"（{', '.join(f'{k} {v}' for k, v in rows.items())}）"
            )
            return generated

        client = Client()
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            little = grow("s", small, max(1, small // 20))
            client.force_login(little["manager"])
            at_small = _measure(client, _pages(little), repeat)
            self._print(small, at_small)
            full = grow("e", workers, classes)
            client.force_login(full["manager"])
            at_full = _measure(client, _pages(full), repeat)
            self._print(workers, at_full)
        for name, page in at_full.items():
            page["queries_small"] = at_small[name]["queries"]
        export = self._export_in_child(full["organisation"].pk, full["manager"].username)
        expected_rows = sum(c.members.count() for c in full["classes"]) * courses
        out(
            f"全企业导出：{export['rows']} 行（应为 {expected_rows}），{export['seconds']} 秒，"
            f"峰值内存 {export['peak_rss_mb']} MB（导出前 {export['baseline_rss_mb']} MB），文件 {export['mb']} MB"
        )
        if export["rows"] != expected_rows:
            raise CommandError("导出的行数不对")
        reports = ("class_report", "worker_report")
        met = (
            all(
                at_full[p]["queries"] <= GOAL_QUERIES and at_full[p]["queries"] == at_small[p]["queries"]
                for p in reports
            )
            and all(at_full[p]["p50_ms"] <= GOAL_P50_MS for p in reports)
            and export["seconds"] <= GOAL_EXPORT_S
            and export["peak_rss_mb"] <= GOAL_EXPORT_MB
        )
        out(
            f"目标：报表页查询 ≤ {GOAL_QUERIES} 且不随职工人数增长，p50 ≤ {GOAL_P50_MS} ms；"
            f"导出 ≤ {GOAL_EXPORT_S} 秒、≤ {GOAL_EXPORT_MB} MB → {'达成' if met else '未达成'}"
        )
        result = {
            "workers": workers,
            "classes": classes,
            "courses_per_class": courses,
            "small_workers": small,
            "rows": full["rows"],
            "pages": at_full,
            "export": export,
            "goal_met": met,
        }
        out(json.dumps(result, ensure_ascii=False, default=str))

    def _print(self, count: int, pages: dict) -> None:
        self.stdout.write(f"— {count} 名职工 —")
        for name, p in pages.items():
            self.stdout.write(
                f"  {name:<20} p50 {p['p50_ms']:>6.1f} ms  p95 {p['p95_ms']:>6.1f} ms  "
                f"CPU p50 {p['cpu_p50_ms']:>6.1f} ms  查询 {p['queries']:>2}"
            )

    def _export_in_child(self, organisation_id: int, manager: str) -> dict:
        """The export in a fresh process, so that its peak RSS is the export's and not the data generator's."""
        cmd = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_enterprise", "--worker"]
        cmd += [f"--export-only={organisation_id}", f"--manager={manager}"]
        done = subprocess.run(cmd, env=os.environ.copy(), capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode:
            self.stderr.write(done.stderr[-3000:])
            raise CommandError(f"导出进程失败（退出码 {done.returncode}）")
        return json.loads(done.stdout.strip().splitlines()[-1])

    # ------------------------------------------------------------ export child

    def export(self, organisation_id: int, manager: str) -> None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username=manager)
        client = Client()
        client.force_login(user)
        path = Path(os.environ[SCRATCH_ENV]).with_name("enterprise.xlsx")
        # VmHWM of this process: getrusage's ru_maxrss would carry the parent's peak across exec.
        baseline = peak_rss_mb(os.getpid())
        url = reverse("training:report_enterprise_xlsx", args=[organisation_id])
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            started = time.perf_counter()
            response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"GET {url} → {response.status_code}")
            first_byte = time.perf_counter() - started
            with path.open("wb") as f:
                for chunk in response.streaming_content:
                    f.write(chunk)
            seconds = time.perf_counter() - started
        peak = peak_rss_mb(os.getpid())
        result = {
            "rows": _data_rows(path),
            "seconds": round(seconds, 2),
            "first_byte_ms": round(first_byte * 1000, 1),
            "peak_rss_mb": round(peak, 1),
            "baseline_rss_mb": round(baseline, 1),
            "mb": round(path.stat().st_size / 1e6, 1),
        }
        self.stdout.write(json.dumps(result))


def _data_rows(path: Path) -> int:
    """Rows of the first sheet below its preface and header, counted while decompressing in pieces."""
    rows, tail = 0, b""
    with zipfile.ZipFile(path) as package, package.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(1 << 20):
            data = tail + chunk
            rows += data.count(b"<row ")
            tail = data[-4:]  # shorter than the pattern: a match split across pieces is counted once
    return rows - 2  # the organisation line and the header
