from django.urls import path

from .views import (
    advancement,
    assessment,
    checkin,
    checks,
    contestant,
    integrity,
    judge,
    nominations,
    organiser,
    practice,
    public,
    registrations,
    review,
)

app_name = "contests"

urlpatterns = [
    path("", public.contest_list, name="list"),
    # contestants
    path("tracks/<int:track_id>/register/", contestant.register, name="register"),
    path("registrations/<int:pk>/withdraw/", contestant.registration_withdraw, name="withdraw"),
    path("invitations/<int:pk>/", contestant.invitation_answer, name="invitation"),
    path("rounds/<int:round_id>/contestant/", contestant.contestant_console, name="contestant"),
    # practice (模拟练习) and the device check (设备检测)
    path("tracks/<int:track_id>/practice/", practice.practice_home, name="practice"),
    path("tracks/<int:track_id>/practice/settings/", practice.practice_settings, name="practice_settings"),
    path("practice/<int:practice_id>/", practice.practice_console, name="practice_console"),
    path("rounds/<int:round_id>/device-check/", checks.device_check, name="device_check"),
    path("rounds/<int:round_id>/device-checks/", checks.device_checks, name="device_checks"),
    # organisers and judges
    path("tracks/<int:track_id>/registrations/", organiser.registrations, name="registrations"),
    # registrations at scale: bulk decisions, export, nominated lists, entry rules (views/registrations.py)
    path(
        "tracks/<int:track_id>/registrations/review/", registrations.registrations_review, name="review_registrations"
    ),
    path("tracks/<int:track_id>/registrations.xlsx", registrations.registrations_export, name="export_registrations"),
    path("tracks/<int:track_id>/registrations/import/", registrations.import_upload, name="import_registrations"),
    path("tracks/<int:track_id>/registrations/template.csv", registrations.import_template, name="import_template"),
    path("tracks/<int:track_id>/registration-imports/<int:pk>/", registrations.import_preview, name="import_preview"),
    path("tracks/<int:track_id>/eligibility/", registrations.track_eligibility, name="eligibility"),
    path("rounds/<int:round_id>/console/", organiser.round_console, name="console"),
    path("rounds/<int:round_id>/control/", organiser.round_control, name="control"),
    path("rounds/<int:round_id>/check-in/", checkin.check_in, name="check_in"),
    path("rounds/<int:round_id>/judge/", judge.judge_console, name="judge"),
    path("rounds/<int:round_id>/integrity/", integrity.round_integrity, name="integrity"),
    # results: the award preview, review requests and the chief judge's queue (成绩公示与复核)
    path("rounds/<int:round_id>/awards/", review.awards_preview, name="awards_preview"),
    path("rounds/<int:round_id>/review/", review.review_file, name="review_file"),
    path("rounds/<int:round_id>/reviews/", review.reviews, name="reviews"),
    # skill-level assessment (职业技能等级认定): verdicts, certificates, the filing file
    path("rounds/<int:round_id>/assessment/", assessment.assessment_round, name="assessment"),
    path(
        "rounds/<int:round_id>/assessment/results.<str:file_format>",
        assessment.assessment_file,
        name="assessment_file",
    ),
    # advancement (晋级) and qualifier nominations (选拔推荐)
    path("rounds/<int:round_id>/advance/", advancement.advance, name="advance"),
    path("tracks/<int:track_id>/qualifier/", nominations.qualifier, name="qualifier"),
    path("rounds/<int:round_id>/nominate/", nominations.nominate, name="nominate"),
    path("tracks/<int:track_id>/nominations/", nominations.nominations, name="nominations"),
    path("nominations/<int:pk>/register/", nominations.nomination_register, name="nomination_register"),
    # the board and results: everyone (staff see it live)
    path("rounds/<int:round_id>/scoreboard/", public.scoreboard_page, name="scoreboard"),
    path("rounds/<int:round_id>/scoreboard.json", public.scoreboard_json, name="scoreboard_json"),
    path("rounds/<int:round_id>/events.json", public.events_json, name="events_json"),
    path("rounds/<int:round_id>/seats.json", checkin.seats_json, name="seats_json"),
    path("rounds/<int:round_id>/display/", public.display, name="display"),
    path("rounds/<int:round_id>/results/", public.results, name="results"),
    path("<slug:slug>/", public.contest_detail, name="detail"),
]
