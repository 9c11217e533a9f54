from django.urls import path

from .study import views as study
from .views import learner, marking, media, quizzes, ratings

app_name = "courses"

urlpatterns = [
    path("", learner.dashboard, name="dashboard"),
    path("hours/", learner.hours, name="hours"),
    path("courses/<int:course_id>/enrol/", learner.enrol, name="enrol"),
    path("courses/<int:course_id>/rating/", ratings.rate, name="rate"),
    path("lessons/<int:lesson_id>/", learner.lesson_detail, name="lesson"),
    path("lessons/<int:lesson_id>/video/", media.lesson_video, name="lesson_video"),
    path("videos/<int:video_id>/file/", media.video_file, name="video_file"),
    path("lessons/<int:lesson_id>/complete/", learner.lesson_complete, name="lesson_complete"),
    path("lessons/<int:lesson_id>/study/beat/", study.beat_beacon, name="study_beat"),
    path("lessons/<int:lesson_id>/quiz/", quizzes.quiz_take, name="quiz"),
    path("attempts/<int:attempt_id>/", quizzes.attempt_detail, name="attempt"),
    path("attempts/<int:attempt_id>/save/", quizzes.attempt_save, name="attempt_save"),
    path("attempts/<int:attempt_id>/submit/", quizzes.attempt_submit, name="attempt_submit"),
    path("marking/", marking.marking_list, name="marking"),
    path("marking/<int:attempt_id>/", marking.marking_attempt, name="marking_attempt"),
    path("stats/", learner.provider_stats, name="stats"),
]
