"""What the scratch-database bench_* commands share (bench_catalogue, bench_import,
bench_certificates): the parent makes a temporary directory with a fresh SQLite file, runs the same
command with `--worker` pointed at it (never at the development or a PostgreSQL database), streams
the worker's output with the JSON figures kept as the last line, and removes the directory unless
`--keep`. The worker refuses to run anywhere but on that scratch file.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def run_in_scratch(
    command: BaseCommand,
    name: str,
    args: list[str],
    *,
    marker: str,
    keep: bool,
    before: Callable[[dict], None] | None = None,
) -> None:
    """Run `manage.py <name> --worker <args>` on a scratch database; `marker` names the env variable
    that tells the worker which file it may use. `before(env)` runs first (e.g. a migration)."""
    scratch = tempfile.mkdtemp(prefix=f"{name.replace('_', '-')}-")
    db_path = os.path.join(scratch, "db.sqlite3")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SQLITE_PATH=db_path, MEDIA_ROOT=os.path.join(scratch, "media"), DJANGO_DEBUG="false")
    env.update(PRIVATE_MEDIA_ROOT=os.path.join(scratch, "private"))
    env[marker] = db_path
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    cmd = [sys.executable, str(settings.BASE_DIR / "manage.py"), name, "--worker", *args]
    command.stdout.write(f"临时目录：{scratch}")
    last = ""
    try:
        if before is not None:
            before(env)
        with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True, bufsize=1) as proc:  # noqa: S603
            for line in proc.stdout:
                if last:
                    command.stdout.write(last)
                last = line.rstrip("\n")
        if proc.returncode:
            if last:
                command.stdout.write(last)
            raise CommandError(f"测量进程失败（退出码 {proc.returncode}）")
    finally:
        if keep:
            command.stdout.write(f"已保留：{scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    command.stdout.write(last)  # the JSON figures stay the last line


def require_scratch(name: str, marker: str) -> None:
    """In a worker: stop unless the database is the scratch SQLite file its parent made."""
    db = settings.DATABASES["default"]
    if not (
        os.environ.get(marker)
        and db["ENGINE"] == "django.db.backends.sqlite3"
        and str(db["NAME"]) == os.environ[marker]
    ):
        raise CommandError(f"--worker 只能由 {name} 在临时 SQLite 数据库上启动")
