"""Issue and render many certificates of mixed kinds on a scratch database, on every core.

The command re-runs itself in a subprocess whose SQLITE_PATH and MEDIA_ROOT point into a temporary
directory, so the development database is never opened. That worker migrates, creates people with
Chinese names (and courses for completion certificates), then issues --count certificates — a
third each of 结业, 职业技能等级 and 获奖 — through certificates.services.issue_many in a process
pool (one process per core). Pool processes are recycled after --recycle batches, because
WeasyPrint's memory grows over many renders in one process. The last line printed is one JSON
object with the figures (docs/PERFORMANCE.md reads it).
"""

import argparse
import json
import math
import os
import random
import resource
import statistics
import time
import warnings
from multiprocessing import get_context

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from config.bench import require_scratch, run_in_scratch

SCRATCH_ENV = "BENCH_CERTIFICATES_SCRATCH"
PRELOAD = "certificates.management.commands._bench_preload"
GOAL_CERTS_PER_S, GOAL_KB = 50, 60
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢"
COMPOUND = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "慕容", "令狐", "长孙"]
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红晓东海波宁燕玲峰鑫雪梅婷宇浩然子涵思远嘉怡欣悦梓萱俊杰天佑雨泽"
OCCUPATIONS = ["电工", "钳工", "焊工", "数控车工", "工业机器人系统运维员", "网络与信息安全管理员", "集成电路工程技术人员", "工业互联网工程技术人员"]  # fmt: skip


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _name(rng: random.Random) -> str:
    surname = rng.choice(COMPOUND) if rng.random() < 0.08 else rng.choice(SURNAMES)
    return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _machine_busy_s() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (Linux /proc/stat), or None."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _child_init(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")


def _child_batch(specs: list[dict]) -> dict:
    """Issue one batch (one kind) in a pool process; return its timing, sizes and this process's RSS."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from certificates import services, snapshots
    from contests.scoring import Award
    from courses.models import Enrolment

    started, cpu_started = time.perf_counter(), time.process_time()
    kind = specs[0]["kind"]
    if kind == "completion":
        enrolments = Enrolment.objects.select_related("course__provider", "learner").in_bulk(
            [s["enrolment"] for s in specs]
        )
        items = []
        for spec in specs:
            enrolment = enrolments[spec["enrolment"]]
            snapshot = snapshots.completion(enrolment, issued_at=enrolment.completed_at)
            items.append((snapshot, enrolment.learner, {"course": enrolment.course, "enrolment": enrolment}))
    else:
        users = get_user_model().objects.in_bulk([s["user"] for s in specs])
        organiser = get_user_model().objects.get(username="bench-organiser")
        items = []
        for spec in specs:
            user = users[spec["user"]]
            if kind == "skill_level":
                items.append(
                    services.skill_level_item(
                        holder=user, level=spec["level"], occupation=spec["occupation"], issued_by=organiser
                    )
                )
            else:
                row = snapshots.AwardWinner(
                    user,
                    Award(spec["award"]),
                    spec["rank"],
                    "88.50",
                    "2026年全国工业和信息化技术技能大赛",
                    spec["track"],
                    "决赛",
                    1,
                )
                items.append(services.award_item(row, issued_by=organiser))
    results = services.issue_many(items)
    elapsed = time.perf_counter() - started
    errors = [str(r) for r in results if isinstance(r, Exception)]
    sizes = [r.pdf.size for r in results if not isinstance(r, Exception)]
    connection.close()
    return {
        "n": len(specs),
        "ms": elapsed * 1000,
        "sizes": sizes,
        "errors": errors,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pid": os.getpid(),
        "cpu_ms": (time.process_time() - cpu_started) * 1000,
    }


class Command(BaseCommand):
    help = "在临时数据库中批量颁发并生成混合类型的中文证书，测量每秒张数、每张耗时、PDF 大小和内存峰值。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000, help="证书数量（默认 1000）")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="进程数（默认为 CPU 核数）")
        parser.add_argument("--batch", type=int, default=20, help="每批一起排版的证书数（默认 20）")
        parser.add_argument("--recycle", type=int, default=25, help="每个进程处理多少批后更换（默认 25）")
        parser.add_argument("--keep", action="store_true", help="保留临时目录，便于查看生成的 PDF")
        parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["count"] < 1 or options["workers"] < 1 or options["batch"] < 1 or options["recycle"] < 1:
            raise CommandError("--count、--workers、--batch、--recycle 都必须是正整数")
        return self.worker(**options) if options["worker"] else self.parent(**options)

    # ------------------------------------------------------------ parent

    def parent(self, *, count, workers, batch, recycle, keep, **_options):
        args = [f"--count={count}", f"--workers={workers}", f"--batch={batch}", f"--recycle={recycle}"]
        run_in_scratch(self, "bench_certificates", args, marker=SCRATCH_ENV, keep=keep)

    # ------------------------------------------------------------ worker

    def worker(self, *, count, workers, batch, recycle, **_options):
        require_scratch("bench_certificates", SCRATCH_ENV)
        warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
        out = self.stdout.write
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        specs = self._data(count)
        out(f"迁移并生成 {count} 位持证人：{time.perf_counter() - started:.1f} 秒")
        chunks = []
        for kind in ("completion", "skill_level", "award"):
            of_kind = [s for s in specs if s["kind"] == kind]
            chunks += [of_kind[i : i + batch] for i in range(0, len(of_kind), batch)]
        random.Random(7).shuffle(chunks)
        child_env = {k: os.environ[k] for k in ("SQLITE_PATH", "MEDIA_ROOT", "DJANGO_SETTINGS_MODULE", SCRATCH_ENV)}
        child_env["DJANGO_DEBUG"] = "false"
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        out(f"开始颁发：{len(chunks)} 批 × ≤{batch} 张，{workers} 个进程，每进程 {recycle} 批后更换；负载 {load}")
        busy_before, began = _machine_busy_s(), time.perf_counter()
        results = []
        # multiprocessing.Pool rather than ProcessPoolExecutor(max_tasks_per_child=…), which hung here
        # on Python 3.11 once a worker had been replaced. Workers are forked from a forkserver that
        # has set Django up and warmed the renderer once (_bench_preload, timed here too), not from
        # this process: no database connection is inherited, and a recycled worker's replacement
        # starts in milliseconds instead of re-importing everything (~1.5 s of CPU under "spawn").
        context = get_context("forkserver")
        context.set_forkserver_preload([PRELOAD])
        with context.Pool(
            processes=workers, initializer=_child_init, initargs=(child_env,), maxtasksperchild=recycle
        ) as pool:
            for n, result in enumerate(pool.imap_unordered(_child_batch, chunks), start=1):
                results.append(result)
                if n % max(1, len(chunks) // 10) == 0:
                    done = sum(r["n"] for r in results)
                    out(
                        f"  {done} 张，{done / (time.perf_counter() - began):.1f} 张/秒，进程内存 {result['rss_mb']:.0f} MB"
                    )
        wall = time.perf_counter() - began
        busy = _machine_busy_s()
        machine_cores = round((busy - busy_before) / wall, 2) if busy is not None and busy_before is not None else None
        self._report(count, workers, batch, recycle, wall, results, load, machine_cores)

    def _data(self, count: int) -> list[dict]:
        """Holders with Chinese names and ID numbers; a course and a completed enrolment for each 结业."""
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from contests.scoring import AWARD_ORDER
        from courses.models import Course, Enrolment, Provider

        rng = random.Random(20261124)
        User = get_user_model()
        User.objects.create(username="bench-organiser", real_name="组织者", is_superuser=True, is_staff=True)
        users = User.objects.bulk_create(
            [
                User(
                    username=f"bench{i:05d}",
                    real_name=_name(rng),
                    id_number=f"3201021990{i % 12 + 1:02d}01{i % 1000:03d}X",
                )
                for i in range(count)
            ]
        )
        provider = Provider.objects.create(name="江南智能制造职业技术学院", short_name="江南职院", slug="bench")
        courses = Course.objects.bulk_create(
            [
                Course(
                    provider=provider,
                    code=f"BENCH-{i:02d}",
                    title=f"{t}实践与应用",
                    level=rng.randint(0, 5),
                    hours=rng.choice([16, 24, 32, 48]),
                )
                for i, t in enumerate(OCCUPATIONS)
            ]
        )
        now = timezone.now()
        kinds = ["completion", "skill_level", "award"]
        specs, enrolments = [], []
        for i, user in enumerate(users):
            kind = kinds[i % 3]
            if kind == "completion":
                enrolments.append(Enrolment(learner=user, course=courses[i % len(courses)], completed_at=now))
                specs.append({"kind": kind, "user": user.pk})
            elif kind == "skill_level":
                specs.append(
                    {"kind": kind, "user": user.pk, "level": rng.randint(1, 5), "occupation": rng.choice(OCCUPATIONS)}
                )
            else:
                band = rng.randrange(len(AWARD_ORDER))
                specs.append(
                    {
                        "kind": kind,
                        "user": user.pk,
                        "award": AWARD_ORDER[band].value,
                        "rank": band * 10 + rng.randint(1, 9),
                        "track": rng.choice(["工业互联网安全", "集成电路开发与测试", "工业机器人应用"]),
                    }
                )
        by_user = {e.learner_id: e for e in Enrolment.objects.bulk_create(enrolments)}
        for spec in specs:
            if spec["kind"] == "completion":
                spec["enrolment"] = by_user[spec["user"]].pk
        return specs

    def _report(self, count, workers, batch, recycle, wall, results, load_before, machine_cores):
        from certificates.models import Certificate

        issued = Certificate.objects.count()
        errors = [e for r in results for e in r["errors"]]
        per_cert = [r["ms"] / r["n"] for r in results for _ in range(r["n"])]
        sizes = [s for r in results for s in r["sizes"]]
        numbers = list(Certificate.objects.values_list("number", flat=True))
        by_pid: dict[int, float] = {}  # peak RSS per pool process, in the order they started
        for r in results:
            by_pid[r["pid"]] = max(by_pid.get(r["pid"], 0), r["rss_mb"])
        peaks = list(by_pid.values())
        figures = {
            "count": issued,
            "certs_per_s": round(issued / wall, 1),
            "ms_p50": round(statistics.median(per_cert), 1),
            "ms_p95": round(_percentile(per_cert, 95), 1),
            "cpu_ms_per_cert": round(sum(r["cpu_ms"] for r in results) / max(1, sum(r["n"] for r in results)), 1),
            "kb_per_pdf": round(statistics.mean(sizes) / 1024, 1),
            "kb_max": round(max(sizes) / 1024, 1),
            "peak_rss_mb": round(max(r["rss_mb"] for r in results), 1),
            "rss_mb_first_last_process": [round(peaks[0], 1), round(peaks[-1], 1)],
            "wall_s": round(wall, 1),
            "workers": workers,
            "batch": batch,
            "recycle": recycle,
            "processes": len(by_pid),
            "errors": len(errors),
            "unique_numbers": len(set(numbers)) == len(numbers),
            "load_before": load_before,
            # The machine is shared: how many cores were busy on average during the run, all
            # processes together, and how many of them were this benchmark issuing certificates.
            "cores_busy_machine": machine_cores,
            "cores_busy_issuing": round(sum(r["cpu_ms"] for r in results) / 1000 / wall, 2),
            "goal_met": issued / wall >= GOAL_CERTS_PER_S and max(sizes) <= GOAL_KB * 1024 and not errors,
        }
        if errors:
            self.stdout.write(f"失败 {len(errors)} 张，例如：{errors[0]}")
        self.stdout.write(
            f"{issued} 张，{wall:.1f} 秒：{figures['certs_per_s']} 张/秒；每张 p50 {figures['ms_p50']} ms、p95 {figures['ms_p95']} ms"
            f"（批内平均）；PDF 平均 {figures['kb_per_pdf']} KB、最大 {figures['kb_max']} KB；进程内存峰值 {figures['peak_rss_mb']} MB"
        )
        self.stdout.write(
            f"目标：≥ {GOAL_CERTS_PER_S} 张/秒、每张 ≤ {GOAL_KB} KB → {'达成' if figures['goal_met'] else '未达成'}"
        )
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
