"""The staff search box's page (/admin/search/?q=…): thin over customers.search."""

from django.contrib import admin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from customers import privacy, search


def staff_search_view(request):
    term = request.GET.get("q", "")
    error = None
    try:
        groups = search.staff_search(term, user=request.user)
    except privacy.SearchRefused as exc:
        groups, error = [], exc.message
    hit = search.single_hit(groups)
    if hit is not None:
        return redirect(hit.url)
    context = {**admin.site.each_context(request), "title": _("Search"), "term": term.strip(),
               "groups": groups, "error": error}
    return TemplateResponse(request, "admin/search_results.html", context)
