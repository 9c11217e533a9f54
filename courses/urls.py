from django.urls import path

from .study import views as study
from .views import learner, media

app_name = "courses"

urlpatterns = [
    path("", learner.dashboard, name="dashboard"),
    path("hours/", learner.hours, name="hours"),
    path("courses/<int:course_id>/enrol/", learner.enrol, name="enrol"),
    path("lessons/<int:lesson_id>/", learner.lesson_detail, name="lesson"),
    path("lessons/<int:lesson_id>/video/", media.lesson_video, name="lesson_video"),
    path("videos/<int:video_id>/file/", media.video_file, name="video_file"),
    path("lessons/<int:lesson_id>/complete/", learner.lesson_complete, name="lesson_complete"),
    path("lessons/<int:lesson_id>/study/beat/", study.beat_beacon, name="study_beat"),
    path("lessons/<int:lesson_id>/quiz/", learner.quiz_take, name="quiz"),
    path("attempts/<int:attempt_id>/", learner.attempt_detail, name="attempt"),
    path("attempts/<int:attempt_id>/submit/", learner.attempt_submit, name="attempt_submit"),
    path("stats/", learner.provider_stats, name="stats"),
]
