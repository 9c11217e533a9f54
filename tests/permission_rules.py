"""Who may POST to each URL of our apps and who may open each WebSocket route: the declarations
tests/test_permissions.py checks against every role (kept apart so the matrix's data and its
machinery each stay readable)."""

from tests.training.world import training_declarations

OUR_APPS = (
    "accounts",
    "cms",
    "courses",
    "contests",
    "experts",
    "certificates",
    "organisations",
    "training",
    "notifications",
    "stats",
)
ANYONE = {"anonymous", "learner", "owner", "staff_a", "staff_b", "judge", "organiser"}
SIGNED_IN = ANYONE - {"anonymous"}
ORGANISER = {"organiser"}
PROVIDER_A = {"staff_a", "organiser"}
ANY_PROVIDER = {"staff_a", "staff_b", "organiser"}
OWNER = {"owner", "organiser"}

# Who may POST to each URL name (and change something). Everyone else must be refused.
# `owner` is the learner who owns the world's enrolment, attempt, contest entry and certificate;
# `learner` is another plain learner; `judge` is assigned to the world's track; the objects of the
# admin belong to provider A.
WHO_MAY_POST: dict[str, set[str]] = {
    # accounts and language: public forms
    "set_language": ANYONE,
    "accounts:signup": ANYONE,
    "accounts:login": ANYONE,
    "accounts:logout": ANYONE,
    "accounts:password_reset": ANYONE,
    "accounts:password_reset_done": ANYONE,
    "accounts:password_reset_confirm": ANYONE,
    "accounts:password_reset_complete": ANYONE,
    "accounts:profile": SIGNED_IN,
    # Wagtail's reports, scoped (cms/admin_reports.py): read only
    **{
        f"cms:{report}{suffix}": set()
        for report in (
            "site_history",
            "aging_pages",
            "locked_pages",
            "page_types_usage",
            "workflow_report",
            "workflow_tasks_report",
        )
        for suffix in ("", "_results")
    },
    # the site's identity for browsers and phones (cms/views.py): read only
    "cms:web_manifest": set(),
    "cms:favicon": set(),
    # the contests viewsets' listings (their XLSX / CSV export neutralised by cms.spreadsheets): read only
    **{
        f"contests_{model}:{action}": set()
        for model in ("contest", "track", "round", "roundquestion", "task", "criterion", "auditlog")
        for action in ("index", "index_results")
    },
    # learning
    "courses:dashboard": set(),
    "courses:hours": set(),
    "courses:enrol": SIGNED_IN,
    "courses:lesson": set(),
    "courses:lesson_complete": {"owner"},
    "courses:study_beat": {"owner"},  # the heartbeat beacon: only with the session of the owner's own socket
    "courses:lesson_video": set(),
    "courses:video_file": set(),
    "courses:quiz": {"owner"},  # POST starts an attempt: the enrolled learner only
    "courses:attempt": set(),
    "courses:attempt_save": {"owner"},
    "courses:attempt_submit": {"owner"},
    "courses:marking": set(),
    "courses:marking_attempt": PROVIDER_A,
    "courses:stats": set(),
    # contests
    "contests:list": set(),
    "contests:detail": set(),
    "contests:register": SIGNED_IN,
    "contests:withdraw": {"owner"},
    "contests:invitation": {"learner"},
    "contests:registrations": ORGANISER,
    "contests:review_registrations": ORGANISER,  # bulk approval and rejection
    "contests:export_registrations": set(),
    "contests:import_registrations": ORGANISER,
    "contests:import_template": set(),
    "contests:import_preview": ORGANISER,  # confirms a nominated list
    "contests:eligibility": ORGANISER,
    "contests:console": ORGANISER,
    "contests:control": ORGANISER,
    "contests:judge": {"judge"},
    "contests:integrity": ORGANISER,  # releases a device; the chief judge only reads
    "contests:check_in": ORGANISER,
    "contests:seats_json": set(),
    "contests:awards_preview": ORGANISER,  # confirms the award preview, publishes
    "contests:review_file": {"owner"},  # a contestant's own review request (成绩公示 only)
    "contests:reviews": ORGANISER,  # the chief judge; organisers when the track has none (the world's has none)
    "contests:assessment": ORGANISER,  # issues an assessment's certificates (the world's round is a contest: 404)
    "contests:assessment_file": set(),  # GET only: the filing file, organisers
    "contests:results": set(),
    "contests:scoreboard": set(),
    "contests:scoreboard_json": set(),
    "contests:events_json": set(),
    "contests:contestant": set(),
    "contests:display": set(),
    "contests:advance": ORGANISER,  # 晋级: preview and confirm
    "contests:qualifier": ORGANISER,  # 选拔推荐: declare a qualifier
    "contests:nominate": ORGANISER,
    "contests:nominations": ORGANISER,  # accept or return nominations
    "contests:nomination_register": {"owner"},  # the nominee only
    "contests:practice": {"owner"},  # starts an attempt (the world's track has no practice bank: nothing)
    "contests:practice_settings": ORGANISER,
    "contests:practice_console": set(),
    "contests:device_check": set(),
    "contests:device_checks": set(),
    # certificates
    "certificates:verify_form": ANYONE,
    "certificates:verify": set(),
    "certificates:verify_json": set(),
    "certificates:mine": set(),
    "certificates:download": set(),
    "certificates:study_hours": SIGNED_IN,  # one's own 学时证明 only
    "certificates:manage_list": ORGANISER,
    "certificates:manage_zip": ORGANISER,
    "certificates:manage_detail": ORGANISER,
    "certificates:manage_revoke": ORGANISER,
    "certificates:manage_rerender": ORGANISER,
    "certificates:issue_skill_level": ORGANISER,
    "certificates:issue_preview": ORGANISER,
    "certificates:issue_awards": ORGANISER,
    "certificates:job": ORGANISER,
    "certificates:job_progress": ORGANISER,
    "certificates:job_resume": ORGANISER,
    "certificates:templates": ORGANISER,
    "certificates:template_edit": ORGANISER,
    "certificates:template_preview": ORGANISER,
    "certificates:template_preview_result": set(),
    # course administration (Wagtail admin viewsets scoped to the provider)
    "course_stats:index": ANY_PROVIDER,
    "course_stats:results": ANY_PROVIDER,
    "course_stats:learners": PROVIDER_A,
    "course_stats:learners_results": PROVIDER_A,
    "course_stats:enrolment": PROVIDER_A,
    "course_stats:enrolment_results": PROVIDER_A,
    "courses_import:index": ANY_PROVIDER,
    "courses_import:new": ANY_PROVIDER,
    "courses_import:job": PROVIDER_A,
    "courses_import:progress": PROVIDER_A,
    "courses_import:file": set(),
    "courses_import:confirm": PROVIDER_A,
    "courses_import:retry": PROVIDER_A,
    "courses_import:template": ANY_PROVIDER,
    "courses_export:index": ANY_PROVIDER,
    "courses_question_chooser:choose": ANY_PROVIDER,
    "courses_question_chooser:choose_results": ANY_PROVIDER,
    "courses_question_chooser:chosen": PROVIDER_A,
    "courses_question_chooser:chosen_multiple": ANY_PROVIDER,
    "courses_provider:staff": ORGANISER,
    # the user admin: Wagtail's views with our forms (accounts/wagtail_hooks.py), for user administrators
    "wagtailusers_users:add": ORGANISER,
    "wagtailusers_users:edit": ORGANISER,
    # the organisation registry: search (GET only), one's own employer, proposals' review
    "organisations:search": set(),
    "organisations:employer": SIGNED_IN,
    "organisations:review": set(),
    "organisations:review_decide": ORGANISER,
    # notifications: one's own (another person's id is 404), mark all read, one's own e-mail settings
    "notifications:list": set(),
    "notifications:open": {"owner"},
    "notifications:read_all": SIGNED_IN,
    "notifications:settings": SIGNED_IN,
    # ---- course ratings (courses/views/ratings.py): one's own rating of a completed course; moderation
    # by the course's provider staff and organisers (the world's rating is the owner's, on provider A's course)
    "courses:rate": {"owner"},
    "course_ratings:index": ANY_PROVIDER,
    "course_ratings:results": ANY_PROVIDER,
    "course_ratings:moderate": PROVIDER_A,
    # ---- end of course ratings
    # ---- 课程修改审核 (courses/views/changes.py): the world's change set is provider A's; only organisers
    # approve or return it (a crafted approve by its staff is a 403, tested in tests/courses/changes)
    "course_changes:index": ANY_PROVIDER,
    "course_changes:detail": PROVIDER_A,
    # ---- statistics (stats/): every URL is read only (GET); scoping is tested in tests/stats
    "stats:dashboard": set(),
    "stats:overview_json": set(),
    "stats:figure_json": set(),
    "stats:figure_xlsx": set(),
    "stats:public": set(),  # the public figures (STATS_PUBLIC_PAGE), read only
    "stats:report_pdf": set(),
    # ---- the expert pool (experts/): organisers; an expert's page also takes the expert's own
    # conflict declaration (the world's expert is `judge`); its fellow judges only read it
    "experts:list": set(),
    "experts:detail": {"judge", "organiser"},
    "experts:import_upload": ORGANISER,
    "experts:import_template": set(),
    "experts:import_preview": ORGANISER,
    "experts:import_errors": set(),
    "experts:track_judges": ORGANISER,
    # the pool's admin listings (experts/wagtail_hooks.py; XLSX / CSV export neutralised): read only
    **{f"experts_{model}:{action}": set() for model in ("expert", "conflict") for action in ("index", "index_results")},
    # ---- end of the expert pool
}
for _action in ("index", "index_results", "add", "edit", "delete"):
    WHO_MAY_POST[f"organisations_organisation:{_action}"] = ORGANISER
# ---- theory papers (contests/views/papers_admin.py): organisers, through contests.services.papers
for _action in ("add", "edit", "delete"):
    WHO_MAY_POST[f"contests_roundquestion:{_action}"] = ORGANISER
# ---- the contests admin scoped to who runs each contest (contests/admin_scope.py): the world's contest
# is a national one, so organisers only; its audit log is read-only; inspect, history and usage read.
for _model in ("contest", "track", "round", "task", "criterion", "auditlog", "roundquestion"):
    for _action in ("inspect", "history", "history_results", "usage"):
        WHO_MAY_POST[f"contests_{_model}:{_action}"] = set()
    if _model != "roundquestion":
        for _action in ("edit", "delete"):
            WHO_MAY_POST[f"contests_{_model}:{_action}"] = set() if _model == "auditlog" else ORGANISER
for _model in ("course", "chapter", "lesson", "quiz", "question"):
    for _action in ("index", "index_results", "add"):
        WHO_MAY_POST[f"courses_{_model}:{_action}"] = ANY_PROVIDER
    for _action in ("edit", "delete", "history", "history_results", "usage"):
        WHO_MAY_POST[f"courses_{_model}:{_action}"] = PROVIDER_A
# ---- 精品课程 (courses/models/curation.py): selected by organisers only
for _action in ("index", "index_results", "add", "edit", "delete", "history", "history_results", "usage"):
    WHO_MAY_POST[f"courses_featured:{_action}"] = ORGANISER
# ---- end 精品课程
for _action in ("index", "index_results", "add", "edit", "delete", "history", "history_results", "usage"):
    WHO_MAY_POST[f"courses_category:{_action}"] = ORGANISER
    WHO_MAY_POST[f"courses_provider:{_action}"] = (
        PROVIDER_A if _action in ("edit", "index", "index_results") else ORGANISER
    )

# WebSocket routes: who gets an open socket (everyone else is closed before anything is sent).
WHO_MAY_CONNECT = {
    "ws/rounds/<int:round_id>/contestant/": {"owner"},
    "ws/rounds/<int:round_id>/board/": ANYONE,
    "ws/rounds/<int:round_id>/judge/": {"judge"},  # the track's judges (blind: seat numbers only)
    # the device check: approved contestants before the round starts (the world's round is running)
    "ws/rounds/<int:round_id>/check/": set(),
    # practice (模拟练习): the attempt's own user, registered on the track
    "ws/tracks/<int:track_id>/practice/<int:practice_id>/": {"owner"},
    # a lesson's study socket: the learner enrolled on its course (the lesson unlocked for them)
    "ws/study/<int:lesson_id>/": {"owner"},
}

REFUSED = {302, 403, 404, 405}
# Who posts a page's own form for the positive control, when several may.
FILLER = "权限检查"  # what a required text field is filled with
RIGHTFUL_FIRST = ("learner", "owner", "staff_a", "organiser", "judge", "staff_b")

# ------------------------------------------------------------------ enterprise training (issue 12)
# Personas: the 企业培训管理员 of employer A (whose roster, import, partner grant and class the world
# holds) and of employer B. The world's class of A is run by provider A, which A granted.
TRAINING_MANAGERS = {"manager_a", "manager_b"}
ANYONE.update(TRAINING_MANAGERS)
SIGNED_IN.update(TRAINING_MANAGERS)
MANAGER_A = {"manager_a", "organiser"}
CLASS_OF_A = {"manager_a", "staff_a", "organiser"}  # A's managers and the provider running the class
RIGHTFUL_FIRST = (*RIGHTFUL_FIRST[:3], "manager_a", *RIGHTFUL_FIRST[3:], "manager_b")
WHO_MAY_POST.update(training_declarations(manager_a=MANAGER_A, class_of_a=CLASS_OF_A, signed_in=SIGNED_IN))

# ------------------------------------------------------------------ enterprise 技术比武 (issue 14)
# Employer A's contest (run by manager_a, tests/contests/enterprise_world.py): every organiser-facing
# page of it, checked by tests/test_permissions.py for these roles with its ids. Everyone else
# (manager_b above all) is refused and changes nothing.
ENTERPRISE_ROLES = ("manager_a", "manager_b", "organiser", "staff_a", "learner", "owner")
CONTEST_OF_A = {"manager_a", "organiser"}
ENTERPRISE_CONTEST_PAGES: dict[str, set[str]] = {
    "contests:registrations": CONTEST_OF_A,
    "contests:console": CONTEST_OF_A,
    "contests:control": CONTEST_OF_A,
    "contests:check_in": CONTEST_OF_A,
    "contests:integrity": CONTEST_OF_A,
    "contests:awards_preview": CONTEST_OF_A,
    "contests:reviews": CONTEST_OF_A,  # the track has no chief judge: whoever runs the contest answers
    "experts:track_judges": CONTEST_OF_A,
    **{
        f"contests_{model}:{action}": CONTEST_OF_A
        for model in ("contest", "track", "round", "task", "criterion")
        for action in ("edit", "delete")
    },
}
# Opened with GET by its rightful users (the others are POST-only or need an ended round).
ENTERPRISE_GET_OK = set(ENTERPRISE_CONTEST_PAGES) - {"contests:control", "contests:awards_preview"}
