from django.urls import path

from complaints.views import public_complaint_new

app_name = "complaints"
urlpatterns = [
    path("new/", public_complaint_new, name="public_new"),
]
