from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware


class StaffLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Everything needs a login except the health probe, the API (which authenticates platforms with
    its own keys) and public pages; see ``LOGIN_EXEMPT_PREFIXES``."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(settings.LOGIN_EXEMPT_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
