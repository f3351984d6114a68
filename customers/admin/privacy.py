"""The admin side of customers.privacy: one mixin for every ModelAdmin whose rows reach a mobile, a
birthday or an ID number (customers, drivers, loyalty accounts, ledgers, coupons, care messages,
callbacks, complaints, …). For a user who may not see such a field whole it

- searches a mobile only by the whole number (exact, rate-limited; a part of a number finds nothing)
  and never runs a mobile column through the ordinary ``icontains`` search — this covers the admin's
  autocomplete endpoint too, which calls ``get_search_results``;
- refuses URL lookups (``?customer__mobile__startswith=138``, ``?birthday__year=1990``) and drops list
  filters on such fields (400, Django's DisallowedModelAdminLookup);
- refuses sorting by them (``?o=`` on such a column is ignored);
- shows list columns of mobiles masked;
- masks them in simple-history's "changes" column (history pages).

``tests/customers/test_privacy_guard.py`` fails when a registered admin reaches a mobile without it.
"""

from django.contrib import messages
from django.db.models import Q
from simple_history.template_utils import HistoricalRecordContextHelper

from core.masking import mask_birthday, mask_id_number, mask_mobile
from customers import privacy


def _path_value(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def masked_mobile_column(model, path: str):
    """A list column showing the mobile at ``path`` masked (same header as the field)."""
    field = privacy.lookup_target(model, path)

    def column(obj):
        return mask_mobile(_path_value(obj, path))

    column.short_description = getattr(field, "verbose_name", path)
    column.__name__ = f"masked_{path}"
    return column


class _MaskingHistoryHelper(HistoricalRecordContextHelper):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if privacy.is_mobile_field(field) and not privacy.can_see_full_mobile(self.user):
            return mask_mobile(value)
        if privacy.is_sensitive_field(field) and not privacy.can_see_sensitive(self.user):
            return mask_birthday(value) if field.name == "birthday" else mask_id_number(value)
        return super().prepare_delta_change_value(change, value)


class PersonalDataAdminMixin:
    """Put first in the bases: ``class CouponAdmin(PersonalDataAdminMixin, admin.ModelAdmin)``."""

    # --- search and autocomplete ---
    def _mobile_search_paths(self, request) -> list[str]:
        fields = super().get_search_fields(request) or ()
        return [f.lstrip("=^@") for f in fields
                if privacy.is_mobile_field(privacy.lookup_target(self.model, f))]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request) or ()
        return [f for f in fields if not privacy.hidden_from(request.user, self.model, f)]

    def refused_search(self, request, queryset, exc: privacy.SearchRefused):
        self.message_user(request, exc.message, messages.ERROR)
        return queryset.none(), False

    def get_search_results(self, request, queryset, search_term):
        paths = self._mobile_search_paths(request)
        if not paths or privacy.can_see_full_mobile(request.user):
            return super().get_search_results(request, queryset, search_term)
        try:
            mobile = privacy.masked_mobile_search_term(request.user, search_term)
        except privacy.SearchRefused as exc:
            return self.refused_search(request, queryset, exc)
        if mobile is None:  # not a whole mobile: the other columns only
            return super().get_search_results(request, queryset, search_term)
        match = Q()
        for path in paths:
            match |= Q(**{path: mobile})
        return queryset.filter(match), False

    # --- list filters and URL lookups ---
    def lookup_allowed(self, lookup, value, request=None):
        if request is not None and privacy.hidden_from(request.user, self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return [f for f in filters if not (
            isinstance(f, str | tuple) and privacy.hidden_from(
                request.user, self.model, f if isinstance(f, str) else f[0]))]

    # --- list columns and sorting ---
    def get_list_display(self, request):
        display = list(super().get_list_display(request))
        user = request.user
        return [masked_mobile_column(self.model, item)
                if isinstance(item, str) and privacy.is_mobile_field(privacy.lookup_target(self.model, item))
                and not hasattr(self, item) and not privacy.can_see_full_mobile(user) else item
                for item in display]

    def get_changelist(self, request, **kwargs):
        base = super().get_changelist(request, **kwargs)
        user, model = request.user, self.model

        class PrivacyChangeList(base):
            def get_ordering_field(self, field_name):
                order = super().get_ordering_field(field_name)
                if isinstance(order, str) and privacy.hidden_from(user, model, order.lstrip("-")):
                    return None  # sorting by a hidden column would leak it by order
                return order

        return PrivacyChangeList

    # --- history (django-simple-history) ---
    def get_historical_record_context_helper(self, request, historical_record):
        return _MaskingHistoryHelper(self.model, historical_record, user=request.user)
