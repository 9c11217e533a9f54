"""Fill the site with realistic Chinese demo content; safe to run again (it only adds what is missing).

The one place in cms that imports domain apps: it orchestrates every app's demo in order (the site
tree and catalogue, the courses and people, the contest that needs both, the registry, the
enterprises' training, then the catalogue's curation, whose ratings come from the workers who
completed courses).
"""

import logging
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contests.demo import contest_demo_seed
from contests.demo_assessment import assessment_demo_seed
from contests.demo_enterprise import enterprise_contest_demo_seed
from courses.demo.curation import curation_demo_seed
from courses.demo.seed import demo_seed
from courses.models import Category, Course, CoursePage, Enrolment, Lesson, Provider, QuizAttempt
from courses.services import catalogue_page_ensure
from experts.demo import experts_demo_seed
from organisations.demo import organisations_demo_seed
from training.demo import training_demo_seed
from training.models import RosterEntry, TrainingClass


class Command(BaseCommand):
    help = "创建演示数据：培训机构、行业分类、课程（含课时和测验）、组织者、机构人员和学员、企业培训班、精品课程、学习专题和课程评价。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--courses",
            type=int,
            default=0,
            metavar="N",
            help="另外确保存在 N 门批量生成的课程（GEN-00001…），用于压力测试",
        )

    def handle(self, *args, **options):
        if options["courses"] < 0:
            raise CommandError("--courses 不能为负数")
        started = time.perf_counter()
        wagtail_log = logging.getLogger("wagtail")
        level = wagtail_log.level
        wagtail_log.setLevel(logging.WARNING)  # one "Page created" line per page is noise here
        try:
            catalogue_page_ensure()
            report = demo_seed(generated=options["courses"], log=self.stdout.write)
            contest_demo_seed(report)
            organisations_demo_seed(report)
            experts_demo_seed(report)  # the judges in the expert pool, a chief per track, a recusal case
            assessment_demo_seed(report)  # 职业技能等级认定: a plan whose assessors come from the pool
            training_demo_seed(report)  # the enterprises' workers study the courses …
            enterprise_contest_demo_seed(report)  # … and 精工智能 runs its own 技术比武
            curation_demo_seed(report)  # … and rate those they completed
        finally:
            wagtail_log.setLevel(level)
        elapsed = time.perf_counter() - started
        if report.created:
            created = "，".join(f"{name} {n}" for name, n in report.created.items())
            self.stdout.write(self.style.SUCCESS(f"演示数据已创建（{elapsed:.1f} 秒）：{created}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"演示数据已是最新，没有新增内容（{elapsed:.1f} 秒）"))
        self.stdout.write(self._totals())
        self.stdout.write("登录账号（仅在首次创建时设置密码）：")
        for role, username, password in report.credentials:
            self.stdout.write(f"  {role}：{username} / {password}")
        self.stdout.write("  管理后台：/admin/    课程目录：/courses/")

    def _totals(self) -> str:
        totals = [
            ("培训机构", Provider.objects.count()),
            ("行业分类", Category.objects.count()),
            ("课程", Course.objects.count()),
            ("已发布课程页", CoursePage.objects.live().count()),
            ("课时", Lesson.objects.count()),
            ("用户", get_user_model().objects.count()),
            ("报名", Enrolment.objects.count()),
            ("测验记录", QuizAttempt.objects.count()),
            ("职工名册", RosterEntry.objects.count()),
            ("培训班", TrainingClass.objects.count()),
        ]
        return "现有：" + "，".join(f"{name} {n}" for name, n in totals)
