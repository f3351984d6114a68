"""Routes of the platform API under /api/v1/ (orders and ratings)."""

app_name = "customers_api"

urlpatterns: list = []
