from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("employer/", views.employer, name="employer"),
    path("review/", views.review_list, name="review"),
    path("review/<int:pk>/", views.review_decide, name="review_decide"),
]
