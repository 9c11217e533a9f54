"""Load (again) the regions and industries shipped in organisations/data/ after a regeneration."""

from django.core.management.base import BaseCommand

from organisations.models import Industry, Region
from organisations.reference import reference_load


class Command(BaseCommand):
    help = "从 organisations/data/ 载入行政区划和国民经济行业分类（可重复运行，只增改不删）。"

    def handle(self, *args, **options):
        written = reference_load(Region, Industry)
        self.stdout.write(
            f"已写入 {written} 条；行政区划 {Region.objects.count()} 条，行业 {Industry.objects.count()} 条。"
        )
