"""Commemoration days (001 篇2 各项纪念日): dated occasions of a customer besides the birthday, each
greeted by care once a year. The kinds are data (wedding anniversary, company founding, first ride…)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AnniversaryKind(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    from_first_order = models.BooleanField(
        _("date of the first completed order"), default=False,
        help_text=_("The date is not entered: it is the day of the customer's first completed order (first ride)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("commemoration day kind")
        verbose_name_plural = _("commemoration day kinds")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CustomerAnniversary(models.Model):
    """One dated occasion of one customer; at most one of each kind (chosen from the list, never typed:
    001 篇2 各项纪念日在建立时必须选择准确，不允许手动输入)."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="anniversaries")
    kind = models.ForeignKey(AnniversaryKind, verbose_name=_("kind"), on_delete=models.PROTECT,
                             limit_choices_to={"from_first_order": False, "is_active": True})
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("commemoration day")
        verbose_name_plural = _("commemoration days")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["customer", "kind"], name="uniq_customer_anniversary_kind")]
        indexes = [models.Index(models.functions.ExtractMonth("date"), models.functions.ExtractDay("date"),
                                name="anniversary_month_day_idx")]

    def __str__(self):
        return f"{self.kind}: {self.date}"
