"""Refresh the statistics' rollup cells: the current and previous month and every month marked dirty
(`--all`: every month since the first record; `--month 2026-03`: that month). A systemd timer runs it
every ten minutes (docs/statistics.md); the same service runs as the `stats.tasks.refresh` task."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from stats.pages import warm_organiser_pages
from stats.services import months_mark_all_dirty, stats_refresh


class Command(BaseCommand):
    help = "刷新人才统计的汇总数据（本月、上月和被标记需要重算的月份）。"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="重算自第一条记录以来的每个月")
        parser.add_argument("--month", action="append", default=[], help="只重算该月（YYYY-MM，可重复）")

    def handle(self, *args, **options):
        months = None
        if options["month"]:
            try:
                months = [dt.datetime.strptime(m, "%Y-%m").date() for m in options["month"]]
            except ValueError as error:
                raise CommandError("--month 的格式应为 YYYY-MM") from error
        elif options["all"]:
            months_mark_all_dirty()
        done = stats_refresh(months=months)
        warm_organiser_pages()  # the first viewer after a refresh reads the page from the cache
        self.stdout.write(f"已刷新 {len(done)} 个月：" + ", ".join(f"{m:%Y-%m}" for m in done))
