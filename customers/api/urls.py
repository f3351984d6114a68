"""Routes of the platform API under /api/v1/ (orders and ratings). An ``external_id`` outside the
documented alphabet never reaches a view: the path falls through to the API's JSON 404."""

from django.urls import path, re_path

from customers.api import views

EXTERNAL_ID = r"(?P<external_id>[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63})"

urlpatterns = [
    path("orders/", views.OrderPushView.as_view(), name="orders-push"),
    path("orders/batch/", views.OrderBatchView.as_view(), name="orders-batch"),
    re_path(rf"^orders/{EXTERNAL_ID}/$", views.OrderDetailView.as_view(), name="orders-detail"),
    re_path(rf"^orders/{EXTERNAL_ID}/rating/$", views.OrderRatingView.as_view(), name="orders-rating"),
]
