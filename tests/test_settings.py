"""Configuration: the environment picks the integrations, bad values stop start-up, SQLite copes with writers.

Settings modules read the environment at import time, so each case imports them in a
fresh interpreter with exactly the environment it names (and without the developer's
`.env`), instead of reloading modules inside this process.
"""

import importlib.util
import json
import os
import subprocess
import sys
import threading
from functools import cache

import pytest
from channels_redis.core import RedisChannelLayer

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from config.env import BASE_DIR

pytestmark = pytest.mark.embedded  # conftest: not repeated in the PostgreSQL + Redis pass

# Prints the settings a case looks at as JSON; `read_env` is disabled so a local .env cannot leak in.
_DUMP = """
import importlib, json, sys
import environ
environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)
module = importlib.import_module(sys.argv[1])
names = ["DEBUG", "SECRET_KEY", "DATABASES", "CACHES", "CHANNEL_LAYERS", "CHANNEL_LAYER_SOCKET_TIMEOUT", "ALLOWED_HOSTS", "CERTIFICATE_BASE_URL",
         "WAGTAILADMIN_BASE_URL", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE"]
names = [n for n in names if hasattr(module, n)]
print(json.dumps({name: getattr(module, name) for name in names}, default=str))
"""


def _run(module: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(BASE_DIR)),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(BASE_DIR),
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _DUMP, module],
        env=clean,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@cache
def _load(module: str, env: tuple[tuple[str, str], ...] = ()) -> dict:
    result = _run(module, dict(env))
    assert result.returncode == 0, f"{module} failed to import with {dict(env)}:\n{result.stderr}"
    return json.loads(result.stdout)


def load(module: str, **env: str) -> dict:
    return _load(module, tuple(sorted(env.items())))


def refused(module: str, **env: str) -> str:
    """Import `module` expecting start-up to stop; return what it said."""
    result = _run(module, env)
    assert result.returncode != 0, f"{module} imported although it should have refused {env}"
    return result.stderr


PG_URL = "postgres://skills:s3cret@db.internal:5433/skills"
REDIS_URL = "redis://cache.internal:6380/2"
ALL_MODULES = ["config.settings.dev", "config.settings.test", "config.settings.production"]
PRODUCTION_KEY = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "skills.example.cn",
    "CERTIFICATE_SIGNING_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "CERTIFICATE_BASE_URL": "https://skills.example.cn",
}


def _env_for(module):
    return PRODUCTION_KEY if module.endswith("production") else {}


# ---------------------------------------------------------------- database


@pytest.mark.parametrize("module", ALL_MODULES)
def test_database_url_selects_postgresql_with_a_pool(module):
    db = load(module, DATABASE_URL=PG_URL, **_env_for(module))["DATABASES"]["default"]

    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], int(db["PORT"])) == (
        "skills",
        "skills",
        "s3cret",
        "db.internal",
        5433,
    )
    pool = db["OPTIONS"]["pool"]
    assert pool["min_size"] >= 1
    assert pool["max_size"] >= pool["min_size"]
    # With a pool, persistent connections must be off: the pool owns connection lifetime.
    assert db["CONN_MAX_AGE"] == 0


def test_pool_size_follows_db_pool_max():
    db = load("config.settings.test", DATABASE_URL=PG_URL, DB_POOL_MAX="7")["DATABASES"]["default"]
    assert db["OPTIONS"]["pool"]["max_size"] == 7


@pytest.mark.parametrize("module", ALL_MODULES)
def test_without_database_url_sqlite_is_set_up_for_concurrent_writers(module):
    db = load(module, **_env_for(module))["DATABASES"]["default"]

    assert db["ENGINE"] == "django.db.backends.sqlite3"
    options = db["OPTIONS"]
    init = options["init_command"].replace(" ", "").lower()
    assert "journal_mode=wal" in init
    assert "busy_timeout=" in init
    busy_ms = int(init.split("busy_timeout=")[1].split(";")[0])
    assert busy_ms >= 5000
    assert options["timeout"] >= 5
    assert options["transaction_mode"] == "IMMEDIATE"


# ------------------------------------------------------ cache and channels


@pytest.mark.parametrize("module", ALL_MODULES)
def test_redis_url_selects_channels_redis_and_the_redis_cache(module):
    settings = load(module, REDIS_URL=REDIS_URL, **_env_for(module))

    layer = settings["CHANNEL_LAYERS"]["default"]
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert layer["CONFIG"]["hosts"] == [
        {"address": REDIS_URL, "socket_timeout": settings["CHANNEL_LAYER_SOCKET_TIMEOUT"]}
    ]
    # longer than channels_redis's BZPOPMIN wait, or idle receives time out client-side
    assert settings["CHANNEL_LAYER_SOCKET_TIMEOUT"] > RedisChannelLayer.brpop_timeout
    cache_ = settings["CACHES"]["default"]
    assert cache_["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache_["LOCATION"] == REDIS_URL


@pytest.mark.parametrize("module", ALL_MODULES)
def test_without_redis_url_everything_stays_in_process(module):
    settings = load(module, **_env_for(module))

    assert settings["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert settings["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


# --------------------------------------------------- safety and bad values


def test_base_settings_are_safe_for_production():
    settings = load("config.settings.base")
    assert settings["DEBUG"] is False
    assert settings["SECRET_KEY"] == ""


def test_production_refuses_to_start_without_a_secret_key():
    assert "DJANGO_SECRET_KEY" in refused("config.settings.production")
    assert "DJANGO_SECRET_KEY" in refused("config.settings.production", DJANGO_SECRET_KEY="")


def _without(name: str, **changes: str) -> dict:
    env = {k: v for k, v in PRODUCTION_KEY.items() if k != name}
    return env | changes


@pytest.mark.parametrize(
    ("variable", "env"),
    [
        ("CERTIFICATE_SIGNING_KEY", _without("CERTIFICATE_SIGNING_KEY")),
        ("DJANGO_ALLOWED_HOSTS", _without("DJANGO_ALLOWED_HOSTS")),
        ("DJANGO_ALLOWED_HOSTS", _without("DJANGO_ALLOWED_HOSTS", DJANGO_ALLOWED_HOSTS="*")),
        ("CERTIFICATE_BASE_URL", _without("CERTIFICATE_BASE_URL")),
        ("CERTIFICATE_BASE_URL", _without("CERTIFICATE_BASE_URL", CERTIFICATE_BASE_URL="http://skills.example.cn")),
        ("CERTIFICATE_BASE_URL", _without("CERTIFICATE_BASE_URL", CERTIFICATE_BASE_URL="https://127.0.0.1:8000")),
        ("CERTIFICATE_BASE_URL", _without("CERTIFICATE_BASE_URL", WAGTAILADMIN_BASE_URL="http://127.0.0.1:8000")),
        ("DJANGO_DEBUG", _without("", DJANGO_DEBUG="true")),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(variable, env):
    last_line = refused("config.settings.production", **env).strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert variable in last_line


def test_production_starts_with_its_variables_https_only():
    settings = load("config.settings.production", **PRODUCTION_KEY)
    assert settings["SECRET_KEY"] == PRODUCTION_KEY["DJANGO_SECRET_KEY"]
    assert settings["DEBUG"] is False
    assert settings["ALLOWED_HOSTS"] == ["skills.example.cn"]
    # QR codes on certificates point at the public site, and so do admin e-mails.
    assert settings["CERTIFICATE_BASE_URL"] == "https://skills.example.cn"
    assert settings["WAGTAILADMIN_BASE_URL"] == "https://skills.example.cn"
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_the_asgi_application_defaults_to_production_settings():
    """Without DJANGO_SETTINGS_MODULE, what serves the site refuses to start instead of serving the
    development settings (DEBUG on, any host, a known secret)."""
    script = "import environ; environ.Env.read_env = classmethod(lambda cls, *a, **k: None); import config.asgi"
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(BASE_DIR), "LANG": "C.UTF-8"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], env=clean, cwd=BASE_DIR, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def _manage(*args, **env):
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(BASE_DIR), "LANG": "C.UTF-8", **env}
    script = (
        "import environ, runpy, sys; environ.Env.read_env = classmethod(lambda cls, *a, **k: None); "
        f"sys.argv = ['manage.py', *{list(args)!r}]; runpy.run_path('manage.py', run_name='__main__')"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "-c", script],
        env=clean,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _manage_module():
    spec = importlib.util.spec_from_file_location("manage_script", BASE_DIR / "manage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "variable", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "CERTIFICATE_SIGNING_KEY", "DATABASE_URL"]
)
def test_manage_py_on_a_server_defaults_to_production_and_refuses_unconfigured(variable):
    """A shell or worker whose environment carries any of a deployment's variables but forgot
    DJANGO_SETTINGS_MODULE runs nothing with DEBUG on and a known secret; the message tells a developer
    what to set instead."""
    result = _manage("check", **{variable: PG_URL if variable == "DATABASE_URL" else "x" * 50})
    assert result.returncode != 0
    assert "(production settings, see .env.example)" in result.stderr
    assert "DJANGO_SETTINGS_MODULE=config.settings.dev" in result.stderr
    assert "Traceback" not in result.stderr


def test_manage_py_reads_a_deployments_variables_from_dot_env_too(tmp_path):
    manage = _manage_module()
    env_file = tmp_path / ".env"
    assert manage.default_settings({}, env_file) == "config.settings.dev"
    env_file.write_text("# DJANGO_SECRET_KEY=commented out\nLOG_LEVEL=INFO\n", encoding="utf-8")
    assert manage.default_settings({}, env_file) == "config.settings.dev"
    env_file.write_text("export DJANGO_SECRET_KEY = abc\n", encoding="utf-8")
    assert manage.default_settings({}, env_file) == "config.settings.production"
    assert manage.default_settings({"CERTIFICATE_SIGNING_KEY": "k"}, tmp_path / "none") == "config.settings.production"


def test_manage_py_runs_with_production_variables_set():
    result = _manage("check", "--deploy", "--fail-level", "ERROR", **PRODUCTION_KEY)
    assert result.returncode == 0, result.stderr[-2000:]


def test_manage_py_in_a_bare_checkout_uses_the_development_settings():
    """What a developer (and the migration check) runs in a fresh clone, with no variable at all."""
    result = _manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "No changes detected" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "extra"),
    [
        ("DJANGO_DEBUG", "maybe", {}),
        ("DB_POOL_MAX", "lots", {"DATABASE_URL": PG_URL}),
        ("DATABASE_URL", "not-a-database-url", {}),
        ("CONTEST_ANSWER_GATHER_MS", "5000", {}),
        ("STUDY_BEAT_GATHER_MS", "-1", {}),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value, extra):
    stderr = refused("config.settings.production", **PRODUCTION_KEY, **extra, **{variable: value})
    last_line = stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert variable in last_line


# ------------------------------------------------- SQLite under concurrency

WRITERS = 8
TRANSACTIONS_EACH = 30


@pytest.fixture
def sqlite_alias(tmp_path, django_db_blocker):
    """A connection alias on a temporary SQLite file with the OPTIONS the settings configure."""
    configured = load("config.settings.test")["DATABASES"]["default"]
    assert configured["ENGINE"] == "django.db.backends.sqlite3"
    alias = "concurrency"
    database = {"ENGINE": configured["ENGINE"], "NAME": str(tmp_path / "db.sqlite3"), "OPTIONS": configured["OPTIONS"]}
    # configure_settings fills in Django's defaults (ATOMIC_REQUESTS, TIME_ZONE, TEST …); it insists on a default.
    connections.settings[alias] = connections.configure_settings({DEFAULT_DB_ALIAS: {}, alias: database})[alias]
    with django_db_blocker.unblock():
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
            cursor.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, writer INTEGER, seen INTEGER)")
            cursor.execute("INSERT INTO counter (id, value) VALUES (1, 0)")
        yield alias
        connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def test_concurrent_writers_on_sqlite_never_see_database_is_locked(sqlite_alias):
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        try:
            start.wait()
            for _ in range(TRANSACTIONS_EACH):
                # Read, then write from what was read: the pattern that deadlocks without IMMEDIATE.
                with transaction.atomic(using=sqlite_alias), connections[sqlite_alias].cursor() as cursor:
                    cursor.execute("SELECT value FROM counter WHERE id = 1")
                    (seen,) = cursor.fetchone()
                    cursor.execute("INSERT INTO entry (writer, seen) VALUES (%s, %s)", [number, seen])
                    cursor.execute("UPDATE counter SET value = %s WHERE id = 1", [seen + 1])
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections[sqlite_alias].close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    assert not errors, f"{len(errors)} writer(s) failed, the first with {errors[0]!r}"
    with connections[sqlite_alias].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"
        cursor.execute("SELECT value FROM counter WHERE id = 1")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*), COUNT(DISTINCT seen) FROM entry")
        rows, distinct_seen = cursor.fetchone()
    # No transaction was lost, and none read a value another had already consumed.
    assert total == WRITERS * TRANSACTIONS_EACH
    assert rows == distinct_seen == WRITERS * TRANSACTIONS_EACH


# ---------------------------------------------------------------- the admin's time-zone choices


def test_admin_time_zones_are_the_ones_a_browser_accepts(settings):
    """The account page's script formats dates in the chosen zone; "localtime" made it throw."""
    import shutil
    import zoneinfo

    zones = settings.WAGTAIL_USER_TIME_ZONES
    assert {"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Urumqi", "UTC", "Europe/London"} <= set(zones)
    assert not {"localtime", "posixrules", "Factory"} & set(zones)
    assert not [z for z in zones if z.startswith(("posix/", "right/"))]
    assert zones == sorted(zones)
    for zone in zones:
        zoneinfo.ZoneInfo(zone)
    node = shutil.which("node")
    if node is None:
        return
    script = (
        "const bad = JSON.parse(process.argv[1]).filter(z => {"
        " try { new Intl.DateTimeFormat('en', {timeZone: z}); return false; } catch (e) { return true; } });"
        " console.log(JSON.stringify(bad));"
    )
    refused = subprocess.run([node, "-e", script, json.dumps(zones)], capture_output=True, text=True, check=True)  # noqa: S603 - node, our own script
    assert json.loads(refused.stdout) == []
