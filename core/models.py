from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """The last run of each scheduled job: lets operators see that beat and the workers are alive."""

    name = models.CharField(_("job"), max_length=200, unique=True)
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    last_result = models.TextField(_("last result"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["name"]

    def __str__(self):
        return self.name
