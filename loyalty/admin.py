"""The loyalty admin: tier rules (with a preview), tier benefits, tier history, ledgers with a
running balance, coupons, and the staff actions (adjust, redeem, issue a coupon, set a tier by
hand). Every action calls a service; the ledger, the history and coupons are read-only here."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.forms import modelformset_factory
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.errors import form_add_error
from customers.admin.paging import LargeTablePaginator
from customers.admin.privacy import PersonalDataAdminMixin
from customers.models import Customer
from loyalty import selectors, services
from loyalty.errors import LoyaltyError
from loyalty.models import Coupon, LoyaltyAccount, PointsEntry, Tier, TierBenefit, TierChange, TierRule


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services: visible, never edited or deleted by hand. Large tables:
    no full COUNT(*) (estimated or capped counts)."""

    paginator = LargeTablePaginator
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- tier rules and benefits --------------------------------------------------------------------
class TierRuleForm(forms.ModelForm):
    class Meta:
        model = TierRule
        fields = ["tier", "window_months", "combine", "min_orders", "min_spend", "min_points", "min_referrals",
                  "is_active"]

    def clean(self):
        data = super().clean()
        if all(data.get(f) is None for f in ("min_orders", "min_spend", "min_points", "min_referrals")):
            raise forms.ValidationError(_("Give the rule at least one condition."))
        return data


@admin.register(TierRule)
class TierRuleAdmin(SimpleHistoryAdmin):
    form = TierRuleForm
    list_display = ["tier", "window_months", "combine", "min_orders", "min_spend", "min_points", "min_referrals",
                    "is_active", "updated_at"]
    list_editable = []
    change_list_template = "admin/loyalty/tierrule/change_list.html"

    def get_urls(self):
        return [path("preview/", self.admin_site.admin_view(self.preview_view), name="loyalty_tierrule_preview"),
                *super().get_urls()]

    def preview_view(self, request):
        """Edit the rules in a scratch form and see how many customers each tier would hold;
        nothing is saved here (counted in SQL over every customer)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        RuleSet = modelformset_factory(TierRule, form=TierRuleForm, extra=0, can_delete=False)
        queryset = TierRule.objects.order_by("tier")
        formset = RuleSet(request.POST or None, queryset=queryset, prefix="rules")
        draft = list(queryset)
        if request.method == "POST" and formset.is_valid():
            draft = [form.save(commit=False) for form in formset.forms]
        preview = selectors.tier_preview(draft)
        current = selectors.tier_distribution()
        rows = [{"tier": tier.label, "now": current[tier.value], "preview": preview[tier.value],
                 "delta": preview[tier.value] - current[tier.value]} for tier in Tier]
        context = {**self.admin_site.each_context(request), "title": _("Tier rules: preview"),
                   "formset": formset, "rows": rows, "opts": self.model._meta}
        return TemplateResponse(request, "admin/loyalty/tierrule/preview.html", context)


@admin.register(TierBenefit)
class TierBenefitAdmin(SimpleHistoryAdmin):
    list_display = ["tier", "discount_percent", "priority_dispatch", "dedicated_agent", "callback_interval_days",
                    "event_invitations", "dedicated_driver_team"]


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "customer", "from_tier", "to_tier", "reason", "note", "changed_by"]
    list_filter = ["reason", "to_tier", "from_tier"]
    list_select_related = ["customer", "changed_by"]
    raw_id_fields = ["customer"]
    show_full_result_count = False


# --- accounts and the staff actions ------------------------------------------------------------
class AdjustForm(forms.Form):
    points = forms.IntegerField(label=_("points (negative to deduct)"))
    reason = forms.CharField(label=_("reason"), max_length=200)


class RedeemForm(forms.Form):
    kind = forms.ChoiceField(label=_("coupon kind"), choices=Coupon.Kind.choices)
    amount = forms.DecimalField(label=_("amount (CNY)"), required=False, min_value=0, max_digits=12, decimal_places=2)
    percent = forms.DecimalField(label=_("discount (%)"), required=False, min_value=0, max_value=100,
                                 max_digits=5, decimal_places=2)
    valid_days = forms.IntegerField(label=_("valid for (days)"), required=False, min_value=1, max_value=3650)


class CouponIssueForm(forms.Form):
    kind = forms.ChoiceField(label=_("coupon kind"), choices=Coupon.Kind.choices)
    amount = forms.DecimalField(label=_("amount (CNY)"), required=False, min_value=0, max_digits=12, decimal_places=2)
    percent = forms.DecimalField(label=_("discount (%)"), required=False, min_value=0, max_value=100,
                                 max_digits=5, decimal_places=2)
    valid_from = forms.DateField(label=_("valid from"), required=False, widget=AdminDateWidget)
    valid_until = forms.DateField(label=_("valid until"), required=False, widget=AdminDateWidget)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class TierSetForm(forms.Form):
    tier = forms.TypedChoiceField(label=_("tier"), choices=Tier.choices, coerce=int)
    reason = forms.CharField(label=_("reason"), max_length=200)
    until = forms.DateField(label=_("until"), widget=AdminDateWidget)


@admin.register(LoyaltyAccount)
class LoyaltyAccountAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    list_display = ["customer", "tier", "tier_since", "missed_reviews", "last_review_on", "manual_until",
                    "ledger_link"]
    list_filter = ["tier", "missed_reviews"]
    list_select_related = ["customer"]
    search_fields = ["customer__mobile", "customer__full_name"]
    show_full_result_count = False
    change_list_template = "admin/loyalty/loyaltyaccount/change_list.html"

    @admin.display(description=_("ledger"))
    def ledger_link(self, obj):
        from django.utils.html import format_html

        return format_html('<a href="{}">{}</a>', reverse("admin:loyalty_ledger", args=[obj.customer_id]),
                           gettext("Ledger"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("distribution/", wrap(self.distribution_view), name="loyalty_tier_distribution"),
            path("<int:customer_id>/ledger/", wrap(self.ledger_view), name="loyalty_ledger"),
            path("<int:customer_id>/adjust/", wrap(self.adjust_view), name="loyalty_points_adjust"),
            path("<int:customer_id>/redeem/", wrap(self.redeem_view), name="loyalty_points_redeem"),
            path("<int:customer_id>/coupon/", wrap(self.coupon_view), name="loyalty_coupon_issue"),
            path("<int:customer_id>/tier/", wrap(self.tier_view), name="loyalty_tier_set"),
            *super().get_urls(),
        ]

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta, **extra}

    def _customer(self, request, customer_id, perm=None) -> Customer:
        if perm and not request.user.has_perm(perm):
            raise PermissionDenied
        if not request.user.has_perm("loyalty.view_pointsentry"):
            raise PermissionDenied
        return get_object_or_404(Customer, pk=customer_id)

    def _back(self, customer):
        return redirect(reverse("admin:customers_customer_change", args=[customer.pk]))

    def distribution_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        counts = selectors.tier_distribution()
        total = sum(counts.values()) or 1
        rows = [{"tier": t.label, "count": counts[t.value], "share": 100 * counts[t.value] / total} for t in Tier]
        return TemplateResponse(request, "admin/loyalty/distribution.html",
                                self._context(request, _("Tier distribution"), rows=rows))

    def ledger_view(self, request, customer_id):
        customer = self._customer(request, customer_id)
        entries = list(selectors.ledger_with_running_balance(customer))
        return TemplateResponse(request, "admin/loyalty/ledger.html", self._context(
            request, _("Points ledger of %(customer)s") % {"customer": customer}, customer=customer,
            entries=entries, balance=selectors.points_balance(customer)))

    def _form_view(self, request, customer, *, form_class, title, action, initial=None, help_text=""):
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                message = action(form.cleaned_data)
            except LoyaltyError as exc:
                form_add_error(form, exc)
            else:
                self.message_user(request, message, messages.SUCCESS)
                return self._back(customer)
        return TemplateResponse(request, "admin/loyalty/form.html", self._context(
            request, title, form=form, customer=customer, balance=selectors.points_balance(customer),
            tier=selectors.customer_tier(customer), help_text=help_text))

    def adjust_view(self, request, customer_id):
        customer = self._customer(request, customer_id, "loyalty.adjust_points")

        def action(data):
            entry = services.points_adjust(customer=customer, points=data["points"], reason=data["reason"],
                                           actor=request.user)
            return gettext("Adjusted by %(points)+d points.") % {"points": entry.points}

        return self._form_view(request, customer, form_class=AdjustForm, title=_("Adjust points"), action=action)

    def redeem_view(self, request, customer_id):
        customer = self._customer(request, customer_id, "loyalty.redeem_points")

        def action(data):
            coupon = services.points_redeem(customer=customer, kind=data["kind"], amount=data.get("amount"),
                                            percent=data.get("percent"), valid_days=data.get("valid_days"),
                                            actor=request.user)
            return gettext("Coupon %(code)s issued for %(points)s points.") % {
                "code": coupon.code, "points": -coupon.points_entry.points}

        from django.conf import settings

        help_text = gettext("%(points)s points buy ¥1 of coupon value (a percentage coupon: ¥1 per percent).") % {
            "points": settings.LOYALTY_REDEMPTION_POINTS_PER_YUAN}
        return self._form_view(request, customer, form_class=RedeemForm, title=_("Redeem points for a coupon"),
                               action=action, help_text=help_text)

    def coupon_view(self, request, customer_id):
        customer = self._customer(request, customer_id, "loyalty.issue_coupon")

        def action(data):
            coupon = services.coupon_issue(customer=customer, kind=data["kind"], amount=data.get("amount"),
                                           percent=data.get("percent"), valid_from=data.get("valid_from"),
                                           valid_until=data.get("valid_until"), origin=Coupon.Origin.MANUAL,
                                           note=data.get("note") or "", actor=request.user)
            return gettext("Coupon %(code)s issued.") % {"code": coupon.code}

        return self._form_view(request, customer, form_class=CouponIssueForm, title=_("Issue a coupon"),
                               action=action)

    def tier_view(self, request, customer_id):
        customer = self._customer(request, customer_id, "loyalty.set_tier_manually")

        def action(data):
            services.tier_set_manually(customer=customer, tier=data["tier"], reason=data["reason"],
                                       until=data["until"], actor=request.user)
            return gettext("Tier set to %(tier)s until %(until)s.") % {"tier": Tier(data["tier"]).label,
                                                                       "until": data["until"]}

        return self._form_view(request, customer, form_class=TierSetForm, title=_("Set tier by hand"),
                               action=action, initial={"tier": selectors.customer_tier(customer)})


@admin.register(PointsEntry)
class PointsEntryAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    list_display = ["created_at", "customer", "kind", "points", "available_at", "reason", "source", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["customer", "created_by"]
    raw_id_fields = ["customer", "order", "reverses"]
    search_fields = ["source", "customer__mobile"]
    show_full_result_count = False


@admin.register(Coupon)
class CouponAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    list_display = ["code", "customer", "kind", "amount", "percent", "valid_from", "valid_until", "status", "origin",
                    "issued_by", "used_at", "used_platform"]
    list_filter = ["status", "kind", "origin"]
    list_select_related = ["customer", "issued_by", "used_platform"]
    search_fields = ["code", "customer__mobile", "origin_key"]
    raw_id_fields = ["customer"]
    show_full_result_count = False
