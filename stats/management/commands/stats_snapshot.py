"""Take the monthly snapshot (定期统计) of last month if it has none (`--month YYYY-MM`: that closed
month). Run by a systemd timer on the first days of each month; a snapshot never changes once taken."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from stats.pages import warm_organiser_pages
from stats.services import StatsError, snapshot_take, snapshot_take_due


class Command(BaseCommand):
    help = "生成上月（或指定月份）的月度统计快照；已生成的快照不再改变。"

    def add_arguments(self, parser):
        parser.add_argument("--month", default="", help="已结束的月份（YYYY-MM）")

    def handle(self, *args, **options):
        try:
            if options["month"]:
                month = dt.datetime.strptime(options["month"], "%Y-%m").date()
                snapshot = snapshot_take(month=month)
            else:
                snapshot = snapshot_take_due()
        except ValueError as error:
            raise CommandError("--month 的格式应为 YYYY-MM") from error
        except StatsError as error:
            raise CommandError(str(error)) from error
        if snapshot is None:
            self.stdout.write("上月的快照已存在")
        else:
            warm_organiser_pages()
            self.stdout.write(f"已生成 {snapshot.month:%Y-%m} 的统计快照（{snapshot.cell_count} 个单元）")
