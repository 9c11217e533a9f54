"""Building files and running them through the same services the import pages use."""

import csv
import io

from openpyxl import Workbook

from django.core.files.uploadedfile import SimpleUploadedFile

from courses.imports.jobs import import_job_apply, import_job_confirm, import_job_create, import_job_preview
from courses.models import ImportJob

QUESTION_HEADER = [
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "答案",
    "解析",
    "分值",
    "难度",
    "知识点",
    "外部编号",
]
COURSE_HEADER = [
    "课程编号",
    "课程名称",
    "行业分类",
    "技能等级",
    "学时",
    "授课方式",
    "授课教师",
    "课程简介",
    "章节",
    "课时",
    "课时正文",
    "必修",
    "时长（分钟）",
]


def xlsx(rows, *, sheets=None) -> bytes:
    """rows: a list of rows for one sheet, or sheets={"name": rows, …}."""
    book = Workbook()
    book.remove(book.active)
    for name, sheet_rows in (sheets or {"Sheet1": rows}).items():
        sheet = book.create_sheet(name)
        for row in sheet_rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def preview(user, provider, kind, name, data, **kwargs) -> ImportJob:
    job = import_job_create(user=user, provider=provider, kind=kind, upload=upload(name, data), **kwargs)
    return import_job_preview(job_id=job.pk)


def confirm(job, user) -> ImportJob:
    import_job_confirm(job=job, user=user)
    return import_job_apply(job_id=job.pk)


def run(user, provider, kind, name, data, **kwargs) -> ImportJob:
    """Preview then confirm; returns the job after the apply step (or after the preview if it has errors)."""
    job = preview(user, provider, kind, name, data, **kwargs)
    if not job.can_confirm:
        return job
    return confirm(job, user)


def actions(job) -> list[str]:
    return [row["action"] for row in job.rows]


def issues(job) -> list[tuple]:
    return [(row["row"], i["column"], i["message"]) for row in job.rows for i in row.get("issues", [])]


def errors(job) -> list[str]:
    """The file-level errors, in the source language as stored (the job page translates them)."""
    return [error["message"] for error in job.errors]
