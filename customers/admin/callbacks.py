"""我今天的回访 — an agent's callbacks due today and overdue: sorted by due date (overdue first, in
their own section), counted, paged (WORK_LIST_PER_PAGE), and recording an outcome brings the agent
back to the same page, filters and row (``next`` = the page's full path + ``#anchor``)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core.errors import DomainError, admin_message
from core.http import redirect_next
from core.paging import CountedPaginator, page_links
from customers import hooks, privacy, selectors, services
from customers.forms import CallbackOutcomeForm
from customers.models import ContactLog


def callback_rows(page, *, user, today, path) -> list[dict]:
    """One dict per callback on the page, each knowing the anchor to come back to after it is
    recorded (the next row, as the recorded one leaves the list)."""
    contacts = list(page.object_list)
    guides = hooks.callback_guides(contacts)
    rows = []
    for index, contact in enumerate(contacts):
        following = contacts[index + 1] if index + 1 < len(contacts) else None
        anchor = f"cb-{following.pk}" if following else "callbacks"
        rows.append({
            "contact": contact, "mobile": privacy.mobile_for(user, contact.customer.mobile),
            "overdue": contact.due_on < today, "guide": guides.get(contact.pk),
            "form": CallbackOutcomeForm(prefix=f"c{contact.pk}",
                                        checklist=guides.get(contact.pk, {}).get("items", ())),
            "next": f"{path}#{anchor}",
        })
    return rows


class CallbackListMixin:
    """Mixed into ``CustomerAdmin``."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("callbacks/", view(self.callbacks_view), name="customers_customer_callbacks"),
            path("callbacks/<int:contact_id>/outcome/", view(require_POST(self.callback_outcome_view)),
                 name="customers_customer_callback_outcome"),
            *super().get_urls(),
        ]

    def callbacks_view(self, request):
        """My callbacks due today (and overdue): record the outcome in a few clicks."""
        user = agent = request.user
        agent_id = request.GET.get("agent")
        if agent_id and agent_id.isdigit() and user.has_perm("customers.manage_ownership"):
            agent = get_object_or_404(get_user_model(), pk=int(agent_id))
        today = timezone.localdate()
        counts = selectors.callbacks_due_counts(agent=agent, on=today)
        paginator = CountedPaginator(selectors.callbacks_due(agent=agent, on=today), settings.WORK_LIST_PER_PAGE,
                                     count=counts["total"])
        page = paginator.get_page(request.GET.get("p"))
        rows = callback_rows(page, user=user, today=today, path=request.get_full_path())
        return self._page(request, "admin/customers/customer/callbacks.html", {
            "title": gettext("My callbacks due today"), "rows": rows, "agent": agent, "today": today,
            "page_obj": page, "counts": {**counts, "today": counts["total"] - counts["overdue"]},
            "page_links": page_links(request, page),
        })

    def callback_outcome_view(self, request, contact_id):
        contact = get_object_or_404(ContactLog, pk=contact_id)
        user = request.user
        if not user.has_perm("customers.change_contactlog") or (
            contact.agent_id not in (None, user.pk) and not user.has_perm("customers.manage_ownership")
        ):
            raise PermissionDenied
        guide = hooks.callback_guides([contact]).get(contact.pk, {})
        form = CallbackOutcomeForm(request.POST, prefix=f"c{contact.pk}", checklist=guide.get("items", ()))
        if form.is_valid():
            try:
                services.callback_outcome_record(contact=contact, actor=user, **form.service_data())
            except DomainError as exc:
                admin_message(request, exc, prefix=str(contact.customer))
            else:
                messages.success(request, gettext("Callback recorded: %(customer)s.") % {"customer": contact.customer})
        else:
            messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect_next(request, reverse("admin:customers_customer_callbacks"))

