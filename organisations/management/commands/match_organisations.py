"""Link the free-text 工作单位 of profiles and contest entries to the registry, and report the rest."""

from django.core.management.base import BaseCommand
from django.db import transaction

from organisations.matching import match_all

RULES = {"name": "名称一致", "credit_code": "统一社会信用代码", "fuzzy": "规范化名称"}
REASONS = {"none": "单位库中没有", "ambiguous": "有多个候选，未猜测", "empty": "空白"}


class Command(BaseCommand):
    help = "把个人资料和参赛报名中填写的工作单位匹配到单位库，并列出无法匹配的名称。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只报告，不写入")
        parser.add_argument("--limit", type=int, default=200, help="每类最多列出多少个未匹配名称（默认 200）")

    def handle(self, *args, dry_run=False, limit=200, **options):
        with transaction.atomic():
            report = match_all(dry_run=dry_run)
        self.stdout.write("试运行，未写入。" if dry_run else "匹配完成。")
        for source in sorted(set(report.matched) | set(report.unmatched)):
            matched = report.matched.get(source, {})
            unmatched = report.unmatched.get(source, {})
            total = sum(matched.values())
            parts = "，".join(f"{RULES[r]} {n}" for r, n in sorted(matched.items()))
            missed_rows = sum(rows for _reason, rows in unmatched.values())
            self.stdout.write(
                f"[{source}] 已匹配 {total} 条（{parts or '无'}）；"
                f"未匹配 {missed_rows} 条，共 {len(unmatched)} 个不同名称"
            )
            ordered = sorted(unmatched.items(), key=lambda item: (-item[1][1], item[0]))
            for text, (reason, rows) in ordered[:limit]:
                self.stdout.write(f"  {text}\t{rows}\t{REASONS.get(reason, reason)}")
            if len(ordered) > limit:
                self.stdout.write(f"  …另有 {len(ordered) - limit} 个名称未列出")
