"""The customer list's filters: owner (mine, the public pool), activity, lifecycle, profile review."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.names import person_name
from customers import rules, selectors


def staff_name(user) -> str:
    """A member of staff as colleagues call them: 郭晨曦 (family name first), else the login."""
    return person_name(user, empty="")


class OwnerFilter(admin.SimpleListFilter):
    title = _("account manager")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        choices = [("me", _("My customers")), ("pool", _("Public pool (no account manager)"))]
        staff = (
            get_user_model().objects.filter(is_active=True, staff_profile__takes_customers=True)
            .order_by("username").only("username", "first_name", "last_name")
        )
        return choices + [(str(u.pk), staff_name(u)) for u in staff]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(owner=request.user)
        if value == "pool":
            return queryset.filter(owner__isnull=True)
        if value and value.isdigit():
            return queryset.filter(owner_id=int(value))
        return queryset


class _SelectorFilter(admin.SimpleListFilter):
    """A list filter whose choices and query come from customers.selectors / rules."""

    options: dict = {}  # value → label ("choices" is SimpleListFilter's own method)
    select = None  # selectors.filter_by_…(queryset, value)

    def lookups(self, request, model_admin):
        return list(self.options.items())

    def queryset(self, request, queryset):
        return type(self).select(queryset, self.value()) if self.value() else queryset


class ActivityFilter(_SelectorFilter):
    """003: activity level from completed orders in the last CUSTOMER_ACTIVITY_WINDOW_DAYS."""

    title, parameter_name = _("activity"), "activity"
    options, select = rules.ACTIVITY_LABELS, staticmethod(selectors.filter_by_activity)


class LifecycleFilter(_SelectorFilter):
    title, parameter_name = _("new or returning"), "lifecycle"
    options, select = rules.LIFECYCLE_LABELS, staticmethod(selectors.filter_by_lifecycle)


class ProfileReviewFilter(_SelectorFilter):
    """The periodic profile review: profiles with gaps, or not checked for CUSTOMER_PROFILE_STALE_DAYS."""

    title, parameter_name = _("profile review"), "profile"
    options = {"due": _("Review due (incomplete or not checked)"), "incomplete": _("Incomplete profile"),
               "stale": _("Not checked for a long time"),
               "incomplete_after": _("Still incomplete after the allowed days (90)")}
    select = staticmethod(selectors.filter_by_profile_review)
