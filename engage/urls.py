from django.urls import path

from engage.public import views

app_name = "engage"
urlpatterns = [
    path("survey/<str:token>/", views.survey_page, name="survey"),
    path("rsvp/<str:token>/", views.rsvp_page, name="rsvp"),
]
