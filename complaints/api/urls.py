"""Routes of the complaint endpoints under /api/v1/."""

from django.urls import path

from complaints.api import views

urlpatterns = [
    path("complaints/", views.ComplaintCreateView.as_view(), name="complaints-create"),
    path("complaints/<str:number>/", views.ComplaintDetailView.as_view(), name="complaints-detail"),
]
