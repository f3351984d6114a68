from django.urls import path

from complaints.public import views

app_name = "complaints"
urlpatterns = [
    path("new/", views.public_complaint_new, name="public_new"),
    path("thanks/", views.public_complaint_thanks, name="public_thanks"),
    path("status/", views.public_status_lookup, name="public_status_lookup"),
    path("status/<str:number>/", views.public_status, name="public_status"),
]
