"""Sending one customer an SMS from a template, from the customer page (care's section of it), and
the templates themselves (系统设置). Imported by ``care.admin``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from care import services
from care.errors import CareError
from care.models import MessageTemplate
from core.http import safe_next
from customers.errors import CustomerError
from customers.models import Customer

SMS_ANCHOR = "care-sms"


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "marketing", "is_active")
    list_filter = ("marketing", "is_active")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


class SendTemplateForm(forms.Form):
    template = forms.ModelChoiceField(label=_("template"), queryset=MessageTemplate.objects.none(),
                                      empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = MessageTemplate.objects.filter(is_active=True)
        self.fields["template"].label_from_instance = lambda t: f"{t.name}（{gettext('marketing')}）" \
            if t.marketing else t.name


def sms_panel_context(customer, request) -> dict:
    """The SMS form in care's section of the customer page (only with ``care.send_message``)."""
    user = request.user
    if not user.has_perm("care.send_message") or customer.status == Customer.Status.ANONYMISED:
        return {}
    return {"sms_form": SendTemplateForm(), "sms_url": reverse("admin:care_message_send", args=[customer.pk]),
            "sms_next": f"{request.get_full_path()}#{SMS_ANCHOR}", "marketing_consent": customer.marketing_consent}


def sms_quick_action(customer, request):
    """customers.hooks action: the quick-actions bar links to the SMS form on the page."""
    if not request.user.has_perm("care.send_message") or customer.status == Customer.Status.ANONYMISED:
        return None
    return {"label": _("Send an SMS"), "url": f"#{SMS_ANCHOR}"}


def send_template_view(request, customer_id):
    """POST only (CSRF): queue the chosen template for the customer, then back to the page."""
    customer = get_object_or_404(Customer, pk=customer_id)
    if not request.user.has_perm("care.send_message"):
        raise PermissionDenied
    back = safe_next(request, reverse("admin:customers_customer_change", args=[customer.pk]))
    form = SendTemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("The message was not sent: choose a template."))
        return HttpResponseRedirect(back)
    try:
        message = services.message_send_from_template(customer=customer, template=form.cleaned_data["template"],
                                                      actor=request.user)
    except (CareError, CustomerError) as exc:
        messages.error(request, gettext("The message was not sent: %(reason)s") % {"reason": exc.message})
        return HttpResponseRedirect(back)
    if message.send_after > timezone.now():
        when = formats.date_format(timezone.localtime(message.send_after), "Y-m-d H:i")
        messages.warning(request, gettext("Quiet hours: the SMS is queued and will be sent at %(when)s.")
                         % {"when": when})
    else:
        messages.success(request, gettext("The SMS is queued for sending."))
    return HttpResponseRedirect(back)
