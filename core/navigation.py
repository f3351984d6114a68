"""The admin's sidebar, grouped by work, built from data (settings.STAFF_NAVIGATION).

Each group has a ``title`` and ``items``; an item is either a model page, ``{"model": "app.model"}``
(shown when the admin itself lists that model for the user: the same permission check as the page),
or a custom page, ``{"url": "admin:…", "title": …, "permission": "app.codename"}`` (shown when the
user has that permission). A group with ``"collapsed": True`` starts folded unless the page open is
in it (系统设置: configuration stays out of the way of the daily work). Models the admin registers
but the data does not place go to the last group (系统设置), so no page is ever lost from the menu.
The format follows django-unfold's ``SIDEBAR.navigation`` (title, items, link, permission), to keep
a later switch to that theme a settings change (docs/workspace.md says why not yet).
"""

from django.conf import settings
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject


def sidebar_groups(request) -> list[dict]:
    """The groups and items ``request.user`` may open, each item with ``title``, ``url``, ``active``."""
    user = getattr(request, "user", None)
    if user is None or not (user.is_active and user.is_staff):
        return []
    models = {f"{app['app_label']}.{m['object_name'].lower()}": m
              for app in admin.site.get_app_list(request) for m in app["models"] if m.get("admin_url")}
    placed = set()
    groups = []
    for group in settings.STAFF_NAVIGATION:
        items = [item for spec in group["items"] if (item := _item(spec, user, models, placed))]
        groups.append({"title": group["title"], "items": items, "collapsed": group.get("collapsed", False)})
    unplaced = [{"title": m["name"], "url": m["admin_url"]} for key, m in models.items() if key not in placed]
    if groups:
        groups[-1]["items"] += unplaced
    for group in groups:
        for item in group["items"]:
            item["active"] = _is_active(request.path, item["url"])
        group["open"] = not group["collapsed"] or any(item["active"] for item in group["items"])
    return [group for group in groups if group["items"]]


def _item(spec: dict, user, models: dict, placed: set) -> dict | None:
    if "model" in spec:
        placed.add(spec["model"])
        model = models.get(spec["model"])
        if model is None:
            return None
        return {"title": spec.get("title") or model["name"], "url": model["admin_url"] + spec.get("query", "")}
    if spec.get("permission") and not user.has_perm(spec["permission"]):
        return None
    try:
        return {"title": spec["title"], "url": reverse(spec["url"])}
    except NoReverseMatch:
        return None


def _is_active(path: str, url: str) -> bool:
    url = url.split("?", 1)[0]
    index = reverse("admin:index")
    return path == url if url == index else path.startswith(url)


def navigation(request) -> dict:
    """Context processor: ``staff_navigation`` (computed only when a template shows it)."""
    return {"staff_navigation": SimpleLazyObject(lambda: sidebar_groups(request))}
