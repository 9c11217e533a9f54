"""Measure the import pipeline on a scratch database: a 10,000-question XLSX and a 2,000-course GBK CSV.

The command re-runs itself in a subprocess whose SQLITE_PATH and MEDIA_ROOT point into a temporary
directory, so the development database is never opened; a first subprocess migrates that database,
so the worker's peak memory is the import's. The worker makes a provider and a
staff member, writes both files, and imports each through the services the admin pages and tasks call
(``import_job_create`` → ``import_job_preview`` → ``import_job_confirm`` → ``import_job_apply``),
then imports the question file a second time (every row must be 跳过). In the same run it times a
plain ``bulk_create`` of the same 10,000 questions for comparison. The question import and the
bulk_create each run ``--repeat`` times (into fresh providers) and the median is reported, because
the machine is shared and single runs vary by a third. The last line printed is one JSON
object (docs/PERFORMANCE.md reads it).
"""

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import time

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from config.bench import require_scratch, run_in_scratch

SCRATCH_ENV = "BENCH_IMPORT_SCRATCH"
GOAL_SECONDS, GOAL_SHARE, GOAL_RSS_MB = 10.0, 0.25, 300
HEADER = ["题型", "题干", *[f"选项{c}" for c in "ABCDEFGH"], "答案", "解析", "分值", "难度", "知识点", "外部编号"]
TOPICS = ["工业互联网", "安全生产", "数控加工", "电工基础", "工业机器人", "网络安全", "智能制造", "质量管理"]


def question_rows(count: int, rng: random.Random) -> list[list[str]]:
    """Realistic rows of every kind, with external ids."""
    rows = []
    for i in range(count):
        topic = rng.choice(TOPICS)
        stem = f"【{topic}】第{i + 1}题：关于{topic}中{rng.choice(['设备点检', '参数设置', '风险辨识', '数据采集'])}的说法，下列哪项正确？"
        kind = rng.choices(["单选", "多选", "判断", "填空", "简答", "数值"], [40, 25, 15, 10, 5, 5])[0]
        options, answer = [""] * 8, ""
        if kind in ("单选", "多选"):
            n = rng.randint(4, 5)
            options[:n] = [f"{topic}选项{chr(65 + k)}：按规程执行第{k + 1}步操作" for k in range(n)]
            answer = "B" if kind == "单选" else "".join(sorted(rng.sample("ABCD", 2)))
        elif kind == "判断":
            answer = rng.choice(["正确", "错误"])
        elif kind == "填空":
            stem, answer = f"{topic}的标准编号是____，适用电压为____伏。", "GB/T 1234;GB1234|36"
        elif kind == "简答":
            answer = "按照点检表逐项检查，记录异常并上报。"
        else:
            stem, answer = f"{topic}额定电压是多少伏？（第{i + 1}题）", "220:1"
        rows.append(
            [kind, stem, *options, answer, f"依据《{topic}操作规程》第{i % 40 + 1}条。", str(rng.choice([1, 2, 2.5, 5])),
             str(rng.randint(1, 5)), topic, f"BENCH-{i + 1:05d}"]
        )  # fmt: skip
    return rows


def questions_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("题库")
    sheet.append(["填写说明：第2行是表头，从第3行起每行一道题"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append([cell or None for cell in row])  # like Excel, which stores no empty cells
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def courses_csv(count: int, rng: random.Random) -> tuple[bytes, int]:
    """A GBK CSV with 2 chapters × 2 lessons per course; returns (bytes, data rows)."""
    from courses.imports.resources import CourseResource

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["课程导入：第2行是表头"])
    writer.writerow(CourseResource().get_export_headers())
    rows = 0
    for i in range(count):
        topic = rng.choice(TOPICS)
        for c in (1, 2):
            for le in (1, 2):
                first = c == 1 and le == 1
                course = [f"BC-{i + 1:05d}", f"{topic}岗位能力提升（{i + 1}）", "", "三级/高级工", "16", "线上",
                          "王建国、李海燕", f"面向{topic}一线人员的课程。", "60", "是", "是"] if first else [f"BC-{i + 1:05d}", *[""] * 10]  # fmt: skip
                writer.writerow(
                    [*course, f"第{c}章 {topic}基础", f"{c}.{le} {topic}要点{le}", f"本课时讲解{topic}的要点{le}。",
                     "", "是", "30"]
                )  # fmt: skip
                rows += 1
    return buffer.getvalue().encode("gb18030"), rows


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class Command(BaseCommand):
    help = (
        "在临时数据库中测量导入：1 万道题的 XLSX 和 2000 门课程的 GBK CSV（预览 + 确认），并与直接 bulk_create 对比。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--questions", type=int, default=10_000, help="试题数量（默认 10000）")
        parser.add_argument("--courses", type=int, default=2_000, help="课程数量（默认 2000）")
        parser.add_argument("--repeat", type=int, default=3, help="试题导入与 bulk_create 各测几次取中位数（默认 3）")
        parser.add_argument("--keep", action="store_true", help="保留临时数据库目录，便于事后检查")
        parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["repeat"] < 1:
            raise CommandError("--repeat 至少为 1")
        if options["worker"]:
            return self.worker(**options)
        return self.parent(**options)

    def parent(self, *, questions, courses, repeat, keep, **_options):
        def migrate(env):
            # Migrating in its own process keeps the worker's peak memory about the import alone.
            started = time.perf_counter()
            manage = [sys.executable, str(settings.BASE_DIR / "manage.py"), "migrate", "--noinput", "-v0"]
            subprocess.run(manage, env=env, check=True)  # noqa: S603
            self.stdout.write(f"迁移：{time.perf_counter() - started:.1f} 秒")

        args = [f"--questions={questions}", f"--courses={courses}", f"--repeat={repeat}"]
        run_in_scratch(self, "bench_import", args, marker=SCRATCH_ENV, keep=keep, before=migrate)

    def worker(self, *, questions, courses, repeat, **_options):
        require_scratch("bench_import", SCRATCH_ENV)
        import logging

        logging.disable(logging.INFO)
        out = self.stdout.write
        user, provider, _other = self._setup()
        baseline = _rss_mb()
        out(f"准备完成，进程内存 {baseline} MB；负载 {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        rng = random.Random(2026)
        rows = question_rows(questions, rng)
        xlsx = questions_xlsx(rows)
        gbk, course_rows = courses_csv(courses, rng)
        out(
            f"文件：试题 XLSX {len(xlsx) / 1048576:.1f} MB，课程 GBK CSV {len(gbk) / 1048576:.1f} MB（{course_rows} 行）"
        )

        # Each measurement is repeated into fresh providers and the median kept: the machine is shared.
        # Import and bulk_create alternate, so both write into a table of about the same size.
        samples, bulk = [], []
        for n in range(repeat):
            target = provider if n == 0 else self._provider(user, n)
            samples.append(self.run_import(user, target, "questions", "bench-questions.xlsx", xlsx))
            bulk.append(self.plain_bulk_create(self._provider(None, 100 + n), rows))
        q = sorted(samples, key=lambda r: r["dry_run_s"] + r["confirm_s"])[len(samples) // 2]
        q["samples_s"] = [round(r["dry_run_s"] + r["confirm_s"], 2) for r in samples]
        bulk.sort()
        q["bulk_create_s"], q["bulk_create_rows_per_s"], q["bulk_create_cpu_rows_per_s"] = bulk[len(bulk) // 2]
        again = self.run_import(user, provider, "questions", "bench-questions.xlsx", xlsx)
        if again["summary"]["skip"] != questions:
            raise CommandError(f"第二次导入同一文件应全部跳过：{again['summary']}")
        q["second_run_s"] = round(again["dry_run_s"] + again["confirm_s"], 2)
        q["share_of_bulk_create"] = round(q["rows_per_s"] / q["bulk_create_rows_per_s"], 3)
        q["cpu_share_of_bulk_create"] = round(q["cpu_rows_per_s"] / q["bulk_create_cpu_rows_per_s"], 3)
        out(f"试题：预览 {q['dry_run_s']} 秒，确认 {q['confirm_s']} 秒，{q['rows_per_s']} 行/秒；"
            f"bulk_create {q['bulk_create_rows_per_s']} 行/秒（{q['share_of_bulk_create']:.0%}；按 CPU 时间 {q['cpu_share_of_bulk_create']:.0%}）；"
            f"再次导入 {q['second_run_s']} 秒")  # fmt: skip

        c = self.run_import(user, provider, "courses", "bench-courses.csv", gbk)
        from wagtail.models import WorkflowState

        from courses.models import Course, CoursePage

        c["courses"] = Course.objects.filter(provider=provider).count()
        pages = CoursePage.objects.filter(course__provider=provider)
        c["live_pages"] = pages.filter(live=True).count()
        # The bench provider is not trusted (遴选): its new pages are drafts submitted for review.
        ids = [str(pk) for pk in pages.values_list("pk", flat=True)]
        c["pages_in_review"] = WorkflowState.objects.active().filter(object_id__in=ids).count()
        out(
            f"课程：{c['courses']} 门 / {course_rows} 行，预览 {c['dry_run_s']} 秒，确认 {c['confirm_s']} 秒"
            f"（含 {c['live_pages']} 个已发布页面、{c['pages_in_review']} 个待审核页面）"
        )
        total = q["dry_run_s"] + q["confirm_s"]
        rss = _rss_mb()
        met = total <= GOAL_SECONDS and q["share_of_bulk_create"] >= GOAL_SHARE and rss <= GOAL_RSS_MB
        out(
            f"目标：1 万题预览+确认 ≤ {GOAL_SECONDS:g} 秒、≥ {GOAL_SHARE:.0%} bulk_create 速率、峰值内存 ≤ {GOAL_RSS_MB} MB → {'达成' if met else '未达成'}"
        )
        result = {
            "questions": q,
            "courses": c,
            "dry_run_s": q["dry_run_s"],
            "confirm_s": q["confirm_s"],
            "rows_per_s": q["rows_per_s"],
            "bulk_create_rows_per_s": q["bulk_create_rows_per_s"],
            "peak_rss_mb": rss,
            "rss_before_import_mb": baseline,
            "goal_met": met,
        }
        out(json.dumps(result, ensure_ascii=False))

    def _setup(self):
        from django.contrib.auth import get_user_model

        from courses import services
        from courses.models import Provider

        services.catalogue_page_ensure()
        provider = services.provider_setup(provider=Provider.objects.create(name="测评培训中心", slug="bench"))
        other = Provider.objects.create(name="对照机构", slug="bench-bulk")
        user = get_user_model().objects.create(username="bench-staff", real_name="测评")
        services.provider_member_add(provider=provider, user=user)
        return user, provider, other

    def _provider(self, user, n: int):
        from courses import services
        from courses.models import Provider

        provider = Provider.objects.create(name=f"测评机构{n}", slug=f"bench-{n}")
        if user is not None:
            services.provider_setup(provider=provider)
            services.provider_member_add(provider=provider, user=user)
        return provider

    def run_import(self, user, provider, kind, name, data) -> dict:
        from courses.imports.jobs import import_job_apply, import_job_confirm, import_job_create, import_job_preview

        started, cpu = time.perf_counter(), time.process_time()
        job = import_job_create(user=user, provider=provider, kind=kind, upload=SimpleUploadedFile(name, data))
        job = import_job_preview(job_id=job.pk)
        dry, dry_cpu = time.perf_counter() - started, time.process_time() - cpu
        if not job.can_confirm:
            raise CommandError(f"预览有误：{job.status} {job.errors} {job.summary} {job.message}")
        started, cpu = time.perf_counter(), time.process_time()
        import_job_confirm(job=job, user=user)
        job = import_job_apply(job_id=job.pk)
        confirm, confirm_cpu = time.perf_counter() - started, time.process_time() - cpu
        if job.status != "done":
            raise CommandError(f"导入失败：{job.status} {job.message}")
        rows = job.summary["total"]
        return {
            "rows": rows,
            "dry_run_s": round(dry, 2),
            "confirm_s": round(confirm, 2),
            "rows_per_s": round(rows / (dry + confirm)),
            "confirm_rows_per_s": round(rows / confirm),
            # CPU time of this process (SQLite runs in it too): steadier than wall time on a shared machine
            "dry_run_cpu_s": round(dry_cpu, 2),
            "confirm_cpu_s": round(confirm_cpu, 2),
            "cpu_rows_per_s": round(rows / (dry_cpu + confirm_cpu)),
            "summary": {k: job.summary[k] for k in ("new", "update", "skip", "error")},
            "written": job.summary["result"],
        }

    def plain_bulk_create(self, provider, rows) -> tuple[float, int, int]:
        """The same questions, already parsed, written with one bulk_create: the ceiling to compare with."""
        from courses.imports.questions import canonical_values, model_values
        from courses.imports.reading import read_file
        from courses.models import Question

        parsed = read_file("questions", questions_xlsx(rows), "xlsx")
        objects = []
        for record in parsed.records:
            values = canonical_values(record)
            values["score"] = values["score"] or 1
            values["difficulty"] = values["difficulty"] or 3
            objects.append(Question(provider=provider, external_id=record.external_id, **model_values(values, [])))
        started, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            Question.objects.bulk_create(objects, batch_size=1000)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        return round(seconds, 2), round(len(objects) / seconds), round(len(objects) / cpu)
