from django.urls import path

from .views import applications, member, records, review

app_name = "training"

urlpatterns: list = [
    # 开班申请 and the class record (views/applications.py, review.py, records.py, member.py)
    path("classes/<int:pk>/application/", applications.application, name="application"),
    path("classes/<int:pk>/application/plan/", applications.plan_file, name="application_plan"),
    path("classes/<int:pk>/record/", records.record, name="class_record"),
    path("classes/<int:pk>/record/certificates/", records.record_issue, name="class_record_issue"),
    path("applications/", review.queue, name="application_queue"),
    path("applications/<int:pk>/", review.review, name="application_review"),
    path("my/classes/<int:pk>/", member.my_class, name="my_class"),
    path("my/classes/<int:pk>/sign-in/", member.sign_in, name="sign_in"),
]
