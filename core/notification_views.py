"""The staff's notifications: the list behind the bell, and opening an item (which marks it read).
Reading is GET; every change is a POST with CSRF (the list's buttons)."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.models import Notification

LIST_SIZE = 100


@staff_member_required
@require_GET
def notification_list(request):
    items = list(Notification.objects.filter(recipient=request.user)[:LIST_SIZE])
    context = {**admin.site.each_context(request), "title": _("Notifications"), "items": items,
               "unread": sum(1 for n in items if n.read_at is None)}
    return render(request, "core/notifications.html", context)


@staff_member_required
@require_POST
def notification_open(request, pk: int):
    """Mark one of my notifications read and go where it points (a link on this site only)."""
    item = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if item.read_at is None:
        Notification.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=timezone.now())
    fallback = reverse("notifications:list")
    if item.link and url_has_allowed_host_and_scheme(item.link, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return redirect(item.link)
    return redirect(fallback)


@staff_member_required
@require_POST
def notification_read_all(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:list")
