"""Production-safe base settings: DEBUG off, no default secret.

Integrations switch on when their variable is present: DATABASE_URL selects
PostgreSQL, REDIS_URL selects channels_redis and the Redis cache.
"""

import datetime as dt
import zoneinfo

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import env as E

BASE_DIR = E.BASE_DIR

DEBUG = E.bool_("DJANGO_DEBUG", default=False)
SECRET_KEY = E.str_("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = E.list_("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = E.list_("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "accounts",
    "cms",
    "organisations",
    "courses",
    "contests",
    "experts",
    "certificates",
    "training",
    "notifications",
    "stats",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtailmedia",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.sessions.SignedInMiddleware",  # Django's, with the user read in the session's query
    "django.contrib.messages.middleware.MessageMiddleware",
    # Another provider's page in the admin is not found (404), like its records.
    "cms.middleware.AdminPageScopeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: turns a lock-out raised while authenticating into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite by default: WAL lets readers run beside the writer, the busy timeout
# makes a writer wait instead of failing, and IMMEDIATE takes the write lock at
# BEGIN so two transactions cannot deadlock upgrading from read to write.
_pg = E.db_url()
if _pg:
    _pg.setdefault("OPTIONS", {})
    _pg["OPTIONS"].setdefault("pool", {"min_size": 2, "max_size": E.int_("DB_POOL_MAX", default=20)})
    _pg["CONN_MAX_AGE"] = 0  # the pool owns connection lifetime
    DATABASES = {"default": _pg}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": E.str_("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")),
            # Keep each thread's connection: reopening one (and running the PRAGMAs below) after every
            # request or socket message cost ~40% of a contest answer's time (docs/PERFORMANCE.md, bench_round).
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-32000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Where `migrate` keeps the copy of a new SQLite database's first full migration, to fill the next empty
# one from (cms/management/commands/migrate.py); empty: always migrate in full.
MIGRATE_TEMPLATE_DIR = E.str_("MIGRATE_TEMPLATE_DIR", default=str(BASE_DIR / "var" / "cache" / "migrated"))

# --- Cache, channel layer, background tasks -------------------------------
REDIS_URL = E.str_("REDIS_URL", default="")
# Daphne process tuning for live rounds (config/live_server.py): socket writes sent at once, and
# garbage collection that does not stop a server holding thousands of sockets every few seconds.
LIVE_WRITE_THROUGH = E.bool_("LIVE_WRITE_THROUGH", default=True)
LIVE_GC_TUNING = E.bool_("LIVE_GC_TUNING", default=True)
LIVE_BROADCAST_SLICE = E.int_("LIVE_BROADCAST_SLICE", default=256)
LIVE_PROFILE = E.str_("LIVE_PROFILE", default="")  # a pstats path: profile the Daphne process (yappi)
LIVE_QUERY_COUNT = E.str_("LIVE_QUERY_COUNT", default="")  # a path: count statements, written on SIGUSR1 (bench)
# Under load, at least this long between two batches of stored answers (contests/writer.py).
CONTEST_ANSWER_GATHER_MS = E.int_("CONTEST_ANSWER_GATHER_MS", default=20)
if not 0 <= CONTEST_ANSWER_GATHER_MS <= 1000:
    raise ImproperlyConfigured("Environment variable CONTEST_ANSWER_GATHER_MS is invalid: expected 0 to 1000")
# The same for heartbeats (courses/study/writer.py): a beat is credited as of its arrival, so the wait
# costs a learner nothing; it halves the server's CPU per beat (docs/PERFORMANCE.md).
STUDY_BEAT_GATHER_MS = E.int_("STUDY_BEAT_GATHER_MS", default=10)
if not 0 <= STUDY_BEAT_GATHER_MS <= 1000:
    raise ImproperlyConfigured("Environment variable STUDY_BEAT_GATHER_MS is invalid: expected 0 to 1000")
# Reads on the channel layer wait longer than channels_redis's 5-second BZPOPMIN: at redis-py's
# default of 5 s an idle receive timed out client-side every 5 s (taken for an outage by the
# contests relay), and a message Redis popped in that instant was lost.
CHANNEL_LAYER_SOCKET_TIMEOUT = 10
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": E.str_("CACHE_KEY_PREFIX", default="skills"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT}],
                "prefix": E.str_("CACHE_KEY_PREFIX", default="skills"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginThrottleBackend",
    "accounts.backends.UsernameOrEmailBackend",
    "accounts.backends.RoleAdminAccessBackend",  # training managers: their 技术比武 in the admin
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "courses:dashboard"
LOGOUT_REDIRECT_URL = "/"

# Log-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one account from one
# address, that pair is locked for LOGIN_COOLOFF_MINUTES. Not per address alone: a factory's workers
# often share one public address, and one of them must not lock out the rest.
AXES_FAILURE_LIMIT = E.int_("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=E.int_("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.backends.throttle_key"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

EMAIL_BACKEND = E.str_("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = E.str_("DEFAULT_FROM_EMAIL", default="noreply@skills.example.cn")
if E.str_("EMAIL_URL", default=""):
    vars().update(E.env.email_url("EMAIL_URL"))

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# The time zones a user may pick on the admin's account page. Wagtail's default is every name the
# system's zoneinfo holds, and Debian's holds "localtime" (and may hold "posixrules", "Factory" and
# the "posix/…", "right/…" copies), which browsers refuse: the page's script stopped on
# "RangeError: Invalid time zone specified: localtime".
NOT_BROWSER_TIME_ZONES = {"localtime", "posixrules", "Factory"}
WAGTAIL_USER_TIME_ZONES = sorted(
    name
    for name in zoneinfo.available_timezones()
    if name not in NOT_BROWSER_TIME_ZONES and not name.startswith(("posix/", "right/"))
)
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = E.str_("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Serve uploaded media from Django; production puts nginx in front instead.
SERVE_MEDIA = E.bool_("SERVE_MEDIA", default=False)
# Files no URL may serve (import uploads: question banks with their answer keys), outside MEDIA_ROOT and
# the static files; only views that check the user read them (courses/imports/storage.py).
PRIVATE_MEDIA_ROOT = E.str_("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private"))

# Lesson videos (courses.LessonVideo) live under PRIVATE_MEDIA_ROOT/videos/ and only the view
# `courses:lesson_video` hands them out, after checking the enrolment. With PRIVATE_MEDIA_ACCEL_PREFIX
# set (production, e.g. "/_private/"), the view answers with an X-Accel-Redirect to that prefix and nginx
# sends the file from an `internal` location (docs/deployment.md); unset, Django streams it itself.
PRIVATE_MEDIA_ACCEL_PREFIX = E.str_("PRIVATE_MEDIA_ACCEL_PREFIX", default="")
if PRIVATE_MEDIA_ACCEL_PREFIX and not (
    PRIVATE_MEDIA_ACCEL_PREFIX.startswith("/") and PRIVATE_MEDIA_ACCEL_PREFIX.endswith("/")
):
    raise ImproperlyConfigured(
        'Environment variable PRIVATE_MEDIA_ACCEL_PREFIX is invalid: expected a path like "/_private/"'
    )
# ffprobe (Debian's ffmpeg package) checks every uploaded video and measures its duration on the server.
FFPROBE_BINARY = E.str_("FFPROBE_BINARY", default="ffprobe")
LESSON_VIDEO_MAX_UPLOAD_SIZE = E.int_("LESSON_VIDEO_MAX_UPLOAD_SIZE", default=2 * 1024 * 1024 * 1024)
WAGTAILMEDIA = {
    "MEDIA_MODEL": "courses.LessonVideo",
    # What Chromium, Firefox and Safari play in a <video> element.
    "VIDEO_EXTENSIONS": ["mp4", "m4v", "webm"],
    "AUDIO_EXTENSIONS": ["mp3", "m4a", "ogg", "oga", "opus"],
}

# Uploaded import files (and their parsed JSON) are deleted this many days after upload by
# `manage.py prune_imports` (run it daily); the import history keeps its summaries.
IMPORT_FILE_RETENTION_DAYS = E.int_("IMPORT_FILE_RETENTION_DAYS", default=30)

# A background job (an import's preview or apply, a bulk issuance) whose heartbeat is older than
# this is taken for dead (its worker was killed) and marked failed, with a retry button, by
# `manage.py reap_jobs` and whenever its page is read. Jobs beat as they progress (every 1,000
# rows, every batch of certificates); their longest silent step takes seconds.
JOB_STALE_SECONDS = E.int_("JOB_STALE_SECONDS", default=300)
if JOB_STALE_SECONDS < 1:
    raise ImproperlyConfigured("Environment variable JOB_STALE_SECONDS is invalid: expected a positive number")

# Quizzes (courses/quizzes.py): what a quiz's setting left empty in the admin means. A course's final
# quiz takes the strict column, every other quiz the practice one. attempts_allowed 0 = unlimited;
# minutes 0 = no delay / no time limit; review: never | pass | closed (passed or no attempt left) | always.
QUIZ_DEFAULTS = {
    "final": {
        "attempts_allowed": E.int_("QUIZ_FINAL_ATTEMPTS", default=3),
        "attempt_delay_minutes": E.int_("QUIZ_FINAL_DELAY_MINUTES", default=10),
        "time_limit_minutes": E.int_("QUIZ_FINAL_TIME_LIMIT_MINUTES", default=0),
        "review": "closed",
    },
    "practice": {"attempts_allowed": 0, "attempt_delay_minutes": 0, "time_limit_minutes": 0, "review": "closed"},
}
# A timed attempt submitted this many seconds after its deadline (network, a slow click) still counts.
QUIZ_SUBMIT_GRACE_SECONDS = E.int_("QUIZ_SUBMIT_GRACE_SECONDS", default=30)

# Tampered or oversized submissions are refused with 400 before a view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Wagtail --------------------------------------------------------------
WAGTAIL_SITE_NAME = "工业和信息化技术技能人才网上学习平台"
WAGTAILADMIN_BASE_URL = E.str_("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx", "zip", "txt", "mp4", "webm"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatar from gravatar.com: blocked in mainland China (pages stall) and it sends e-mail hashes abroad.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# No oEmbed lookups either: they would fetch from YouTube & co. while a lesson page renders and embed
# their players, so every page would load from hosts abroad. A lesson's video is uploaded, or linked.
WAGTAILEMBEDS_FINDERS = []
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

# --- Security -------------------------------------------------------------
# Database sessions, read together with their user in one query (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if E.bool_("BEHIND_TLS_PROXY", default=False) else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": E.str_("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

CATALOGUE_PAGE_SIZE = 12
SITE_TAGLINE = _("工业和信息化技术技能人才网上学习平台")

# --- Certificates (certificates/numbers.py, keys.py) ------------------------
# Verification links and QR codes point here; defaults to WAGTAILADMIN_BASE_URL.
CERTIFICATE_BASE_URL = E.str_("CERTIFICATE_BASE_URL", default="") or WAGTAILADMIN_BASE_URL
# Ed25519 signing key (base64 seed or PEM). Production must set it; dev generates a key file.
CERTIFICATE_SIGNING_KEY = E.str_("CERTIFICATE_SIGNING_KEY", default="")
CERTIFICATE_SIGNING_KEY_FILE = None
# Earlier did:key issuers still trusted after a key rotation (comma-separated).
CERTIFICATE_TRUSTED_DIDS = E.list_("CERTIFICATE_TRUSTED_DIDS", default=[])
CERTIFICATE_NUMBER_PATTERN = E.str_("CERTIFICATE_NUMBER_PATTERN", default="{kind}{year}{level}{serial:06d}")
CERTIFICATE_ISSUER_NAME = E.str_("CERTIFICATE_ISSUER_NAME", default="工业和信息化技术技能人才网上学习平台")
# The signature lines of completion, skill-level and award certificates; a line without a name is left
# out (certificates.snapshots.signatories), never printed blank.
CERTIFICATE_SIGNATORIES = [{"role": "发证机构负责人", "name": E.str_("CERTIFICATE_SIGNATORY_NAME", default="")}]
CERTIFICATE_VERIFY_RATE_PER_MINUTE = E.int_("CERTIFICATE_VERIFY_RATE_PER_MINUTE", default=30)
# Completion certificates (and 学时证明) only for people whose profile holds a real name, a valid
# 身份证号 and a mobile number (certificates/holds.py); sign-up then asks for them. A course can
# require it on its own (Course.requires_identity). Off by default.
CERTIFICATE_REQUIRES_IDENTITY = E.bool_("CERTIFICATE_REQUIRES_IDENTITY", default=False)
# 学时证明: the longest period one may cover, and how many a learner may be issued per day.
STUDY_HOURS_MAX_YEARS = E.int_("STUDY_HOURS_MAX_YEARS", default=5)
STUDY_HOURS_PER_DAY = E.int_("STUDY_HOURS_PER_DAY", default=10)
# Seconds the task worker gives a template preview before it stops the render (certificates/previews.py).
CERTIFICATE_PREVIEW_TIMEOUT = E.int_("CERTIFICATE_PREVIEW_TIMEOUT", default=20)

# --- Tracked study (courses/study, docs/study.md) ----------------------------
STUDY_HEARTBEAT_SECONDS = E.int_("STUDY_HEARTBEAT_SECONDS", default=15)
# The most one heartbeat may credit: a learner away for an hour earns nothing for the gap.
STUDY_BEAT_CAP_SECONDS = E.int_("STUDY_BEAT_CAP_SECONDS", default=30)
# Slack for network jitter: media seconds per beat and claimed active seconds may exceed the
# server's wall-clock by this much (never the credited time, which the wall-clock caps).
STUDY_TOLERANCE_SECONDS = 2.0
STUDY_IDLE_CHECK_MIN_SECONDS = E.int_("STUDY_IDLE_CHECK_MIN_SECONDS", default=10 * 60)
STUDY_IDLE_CHECK_MAX_SECONDS = E.int_("STUDY_IDLE_CHECK_MAX_SECONDS", default=20 * 60)
STUDY_VIDEO_COMPLETION_PERCENT = E.int_("STUDY_VIDEO_COMPLETION_PERCENT", default=90)
# Minimum time of a text lesson: its characters at this reading speed, at least the floor.
STUDY_READING_CHARS_PER_MINUTE = E.int_("STUDY_READING_CHARS_PER_MINUTE", default=300)
STUDY_TEXT_MIN_SECONDS_FLOOR = E.int_("STUDY_TEXT_MIN_SECONDS_FLOOR", default=60)

# --- Talent statistics (stats, docs/statistics.md) ---------------------------
# The public page of headline figures (/stats/public/) for the programme's site; off: it is a 404.
STATS_PUBLIC_PAGE = E.bool_("STATS_PUBLIC_PAGE", default=False)
# How long the public figures are kept in the cache before the rollup cells are read again.
STATS_PUBLIC_CACHE_SECONDS = E.int_("STATS_PUBLIC_CACHE_SECONDS", default=600)
if STATS_PUBLIC_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("Environment variable STATS_PUBLIC_CACHE_SECONDS is invalid: expected 0 or more")
