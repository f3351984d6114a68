"""The monthly complaint analysis (000 投诉记录与分析; 001 篇5 每月十日前汇总上月份结案的案件): causes as
a list (data, not free text), and a sign-off record per month with its improvement actions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Cause(models.Model):
    """Why a complaint happened, from a list managers keep (the monthly analysis counts by it)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        verbose_name = _("complaint cause")
        verbose_name_plural = _("complaint causes")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class AnalysisMonth(models.Model):
    """The analysis of one month's closed complaints, signed off by the 10th of the next month."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month analysed."))
    findings = models.TextField(_("findings"), blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    flagged_late_at = models.DateTimeField(_("flagged late at"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly complaint analysis")
        verbose_name_plural = _("monthly complaint analyses")
        ordering = ["-month"]
        permissions = [("sign_off_analysis", _("Can sign off the monthly complaint analysis"))]

    def __str__(self):
        return self.month.strftime("%Y-%m")


class ImprovementAction(models.Model):
    """An improvement the analysis decided, with who carries it out and by when."""

    analysis = models.ForeignKey(AnalysisMonth, verbose_name=_("analysis"), on_delete=models.CASCADE,
                                 related_name="actions")
    action = models.CharField(_("improvement action"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    due_on = models.DateField(_("due by"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.action
