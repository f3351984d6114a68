from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from core.views import healthz
from customers.admin.search import staff_search_view

admin.site.site_header = format_lazy("{} · {}", settings.COMPANY_NAME, _("Customer management"))
admin.site.site_title = format_lazy("{} {}", settings.COMPANY_NAME, _("CRM"))
admin.site.index_title = _("My workbench")  # every role's start page (not only the agents')

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("config.api_urls")),
    path("dashboard/", include("kpis.urls")),
    path("admin/search/", admin.site.admin_view(staff_search_view), name="staff_search"),
    path("notifications/", include("core.urls")),  # the bell's list (staff)
    path("admin/", admin.site.urls),
    path("public/complaints/", include("complaints.urls")),  # the online complaint form (no login)
    path("public/engage/", include("engage.urls")),  # signed links from messages: surveys, RSVPs
    path("public/captcha/", include("complaints.public.captcha_urls")),  # the form's CAPTCHA images
]
# Uploaded files (complaint attachments) are never served from MEDIA_URL, not even in DEBUG: only
# through the permission-checked view in the complaints admin.

# The error pages in the admin's look, in Chinese, saying what is missing and whom to ask (core.error_pages).
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
