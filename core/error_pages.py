"""The 403, 404 and 500 pages in the admin's look and in Chinese (config/urls.py names them).

A refused page says which permission was missing when it can be known: the message a view raised
``PermissionDenied`` with, else the permission behind an admin model page (``view``/``add``/
``change``/``delete`` of that model, read from the URL's name), and whom to ask: the team's
supervisor, or the general manager. The 500 page touches neither the database nor the session (the
error may be the database): a static page that only links the admin's stylesheet.
"""

import logging

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.csrf import requires_csrf_token

from core.names import person_name
from core.roles import Role

log = logging.getLogger(__name__)

# The last part of an admin URL name (customers_customer_changelist) → the permission action.
_ADMIN_ACTIONS = {"changelist": "view", "change": "change", "add": "add", "delete": "delete", "history": "view"}


def needed_permission(request, exception=None) -> tuple[str, str] | None:
    """(what to show, permission code) for a refused request, or None when it cannot be told."""
    message = str(exception.args[0]) if exception is not None and exception.args else ""
    if message and message != "403 Forbidden":
        return message, ""
    return _admin_model_permission(request.path_info)


def _admin_model_permission(path: str) -> tuple[str, str] | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace != "admin" or not match.url_name:
        return None
    models = {f"{m._meta.app_label}_{m._meta.model_name}": m for m in admin.site._registry}
    for suffix, action in _ADMIN_ACTIONS.items():
        model = models.get(match.url_name.removesuffix(f"_{suffix}"))
        if model is not None and match.url_name.endswith(f"_{suffix}"):
            label = {"view": pgettext("permission", "view"), "add": pgettext("permission", "add"),
                     "change": pgettext("permission", "change"), "delete": pgettext("permission", "delete")}[action]
            return (_("%(action)s %(model)s") % {"action": label, "model": model._meta.verbose_name},
                    f"{model._meta.app_label}.{action}_{model._meta.model_name}")
    return None


def whom_to_ask(user) -> list[str]:
    """The refused user's team supervisor (when they have one) and the general manager(s), by name."""
    people = []
    profile = getattr(user, "staff_profile", None) if getattr(user, "is_authenticated", False) else None
    team = getattr(profile, "team", None) if profile is not None else None
    if team is not None and team.supervisor_id and team.supervisor_id != user.pk:
        people.append(_("your supervisor %(name)s") % {"name": person_name(team.supervisor)})
    managers = (get_user_model().objects.filter(groups__name=Role.GENERAL_MANAGER, is_active=True)
                .exclude(pk=getattr(user, "pk", None)).order_by("pk")[:2])
    people += [_("the general manager %(name)s") % {"name": person_name(m)} for m in managers]
    return people or [_("your supervisor or the general manager")]


def _staff_context(request) -> dict:
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        return admin.site.each_context(request)
    return {"site_header": admin.site.site_header, "site_title": admin.site.site_title,
            "has_permission": False, "is_nav_sidebar_enabled": False}


@requires_csrf_token
def permission_denied(request, exception=None):
    needed = needed_permission(request, exception)
    context = {**_staff_context(request), "title": _("You may not open this page"),
               "needed": needed[0] if needed else "", "needed_code": needed[1] if needed else "",
               "ask": whom_to_ask(request.user)}
    return TemplateResponse(request, "403.html", context, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    context = {**_staff_context(request), "title": _("Page not found"), "path": request.path}
    response = TemplateResponse(request, "404.html", context, status=404)
    return HttpResponseNotFound(response.render().content)


@requires_csrf_token
def server_error(request):
    return HttpResponseServerError(loader.get_template("500.html").render({}))
