"""Callback scripts and checklists (002 售后回访话术和回访记录表): what the agent says on a callback and
the standard points they check, as data; the answers recorded with the callback's outcome.

Imported by ``care.models`` (these are care's models; the module only keeps models.py short)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

CALLBACK_PURPOSES = [("callback", _("Periodic callback")), ("complaint_follow_up", _("Complaint follow-up"))]


class CallbackScript(models.Model):
    """The script of one kind of callback: a purpose (periodic callback, complaint follow-up) and,
    optionally, the start of the callbacks' reason (``tier:gold``, ``warning:``) for a script of its own.
    A callback gets the active script of its purpose with the longest matching reason prefix."""

    purpose = models.CharField(_("purpose"), max_length=30, choices=CALLBACK_PURPOSES)
    reason_prefix = models.CharField(
        _("reason starts with"), max_length=60, blank=True,
        help_text=_("Blank: every callback of the purpose. E.g. tier:gold (gold members' periodic callbacks), "
                    "warning: (early-warning callbacks)."))
    name = models.CharField(_("name"), max_length=100)
    script = models.TextField(_("script"), help_text=_("What the agent says, shown on the outcome form."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("callback script")
        verbose_name_plural = _("callback scripts")
        ordering = ["purpose", "reason_prefix"]
        constraints = [models.UniqueConstraint(fields=["purpose", "reason_prefix"], name="care_one_script_per_reason")]

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    """One standard point of a script, answered yes or no on the outcome form ("introduced yourself",
    "asked about the driver's service")."""

    script = models.ForeignKey(CallbackScript, verbose_name=_("callback script"), on_delete=models.CASCADE,
                               related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("checklist item"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True,
                                    help_text=_("Inactive: no longer asked; past answers stay in the report."))

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["script", "position", "pk"]

    def __str__(self):
        return self.text


class ChecklistAnswer(models.Model):
    """An agent's answer to one checklist item on one callback (once per callback and item)."""

    contact = models.ForeignKey("customers.ContactLog", verbose_name=_("callback"), on_delete=models.CASCADE,
                                related_name="checklist_answers")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("checklist item"), on_delete=models.PROTECT,
                             related_name="answers")
    answer = models.BooleanField(_("answer"))

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [models.UniqueConstraint(fields=["contact", "item"], name="care_one_answer_per_item")]
        indexes = [models.Index(fields=["item", "answer"], name="care_answer_item_idx")]

    def __str__(self):
        return f"{self.contact_id} · {self.item_id}: {self.answer}"


__all__ = ["CallbackScript", "ChecklistAnswer", "ChecklistItem"]
