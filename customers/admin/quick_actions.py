"""The customer page's quick actions: record a contact inline, the header's badges (tier, open
complaints) and the other apps' action links. Writes go through ``customers.services``; every
action brings the agent back to the page they came from (``core.http.safe_next``)."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core.http import safe_next
from customers import hooks, services
from customers.errors import CustomerError, NotAllowed
from customers.forms import ContactRecordForm
from customers.models import Customer

log = logging.getLogger(__name__)

CONTACT_LOG_ANCHOR = "contact-log"


def with_anchor(url: str, anchor: str) -> str:
    """``url`` with ``#anchor`` unless it already names one (the caller's scroll position wins)."""
    return url if "#" in url else f"{url}#{anchor}"


def form_errors_text(form) -> str:
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
        for name, errors in form.errors.items()
    )


def _collect(providers, customer, request) -> list[dict]:
    """Run other apps' badge/action providers; a broken one is logged and left out, not a 500."""
    items = []
    for provider in providers:
        try:
            item = provider(customer, request)
        except Exception:
            log.exception("customer page provider %r failed", provider)
            continue
        if item:
            items.append(item)
    return items


class CustomerQuickActionsMixin:
    """Mixed into ``CustomerAdmin``."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/contact/", view(require_POST(self.record_contact_view)),
                 name="customers_customer_record_contact"),
            *super().get_urls(),
        ]

    def quick_actions_context(self, request, customer) -> dict:
        user = request.user
        page = request.get_full_path()
        actions = _collect(hooks.customer_actions(), customer, request)
        for action in actions:
            if action["url"].startswith("#"):  # a section of this page (care's SMS form)
                continue
            joiner = "&" if "?" in action["url"] else "?"
            action["url"] = f"{action['url']}{joiner}{urlencode({'next': page})}"
        active = customer.status != Customer.Status.ANONYMISED
        return {
            "page_url": page,
            "header_badges": _collect(hooks.customer_badges(), customer, request),
            "other_actions": actions,
            "contact_form": ContactRecordForm() if active and user.has_perm("customers.add_contactlog") else None,
            "can_start_handover": active and customer.owner_id is not None
            and user.has_perm("customers.change_customer")
            and (customer.owner_id == user.pk or user.has_perm("customers.manage_ownership")),
        }

    def record_contact_view(self, request, object_id):
        """POST only (CSRF): record a contact from the customer page, then back to the page (or
        ``next``) at the contact log, where the new entry is the first row."""
        customer = get_object_or_404(Customer, pk=object_id)
        if not self.has_view_permission(request, customer):
            raise PermissionDenied
        page = reverse("admin:customers_customer_change", args=[customer.pk])
        back = with_anchor(safe_next(request, page), CONTACT_LOG_ANCHOR)
        form = ContactRecordForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("The contact was not recorded: %(errors)s") % {
                "errors": form_errors_text(form)})
            return HttpResponseRedirect(back)
        try:
            services.contact_record(customer=customer, actor=request.user, **form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except CustomerError as exc:
            messages.error(request, gettext("The contact was not recorded: %(errors)s") % {"errors": exc.message})
        else:
            messages.success(request, gettext("Contact recorded."))
        return HttpResponseRedirect(back)
