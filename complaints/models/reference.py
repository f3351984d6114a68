"""Reference data a manager edits: grades (owner role and deadlines) and categories."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.roles import Role


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    ONLINE_FORM = "online_form", _("Online form (app / website)")
    DRIVER_FEEDBACK = "driver_feedback", _("Driver feedback")
    PLATFORM = "platform", _("Third-party platform")
    HOTLINE_400 = "hotline_400", _("400 hotline referral")
    CONSUMER_ASSOCIATION = "consumer_association", _("Consumer association referral")
    WALK_IN = "walk_in", _("Walk-in")
    SOCIAL_MEDIA = "social_media", _("Social media")


class Responsibility(models.TextChoices):
    DRIVER = "driver", _("Driver")
    AGENT = "agent", _("Agent")
    DISPATCH = "dispatch", _("Dispatch")
    PLATFORM = "platform", _("Platform")
    CUSTOMER = "customer", _("Customer")
    THIRD_PARTY = "third_party", _("Third party")
    NONE = "none", _("None")


ROLE_CHOICES = [
    (Role.CS_AGENT, _("CS agent")),
    (Role.AFTER_SALES, _("After-sales agent")),
    (Role.CS_SUPERVISOR, _("CS supervisor")),
    (Role.OPERATIONS_MANAGER, _("Operations manager")),
    (Role.GENERAL_MANAGER, _("General manager")),
]


class Grade(models.Model):
    """One of the five grades (轻微抱怨 … 危机): who owns it and its deadlines. ``rank`` orders them;
    escalation moves one rank up. Deadlines count natural hours, or only the hours of official
    working days (Chinese holiday calendar, with 调休 make-up days) when ``working_days`` is set."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    owner_role = models.CharField(_("owner role"), max_length=20, choices=ROLE_CHOICES)
    acknowledge_hours = models.PositiveIntegerField(_("acknowledge within (hours)"))
    resolve_hours = models.PositiveIntegerField(_("resolve within (hours)"))
    close_hours = models.PositiveIntegerField(_("close within (hours)"))
    working_days = models.BooleanField(
        _("count working days only"), default=False,
        help_text=_("Count only official working days (holidays skipped, make-up working days counted)."),
    )

    class Meta:
        verbose_name = _("complaint grade")
        verbose_name_plural = _("complaint grades")
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(condition=Q(acknowledge_hours__gt=0, resolve_hours__gt=0, close_hours__gt=0),
                                   name="grade_deadlines_positive"),
        ]

    def __str__(self):
        return self.name


class Category(models.Model):
    """A complaint category (editable list) with its minimum grade and the driver-score deduction when
    the driver is found responsible."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    min_grade = models.ForeignKey(Grade, verbose_name=_("minimum grade"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    driver_score_deduction = models.PositiveSmallIntegerField(
        _("driver score deduction"), default=0,
        help_text=_("Points taken from the driver's yearly service score when an upheld complaint of this "
                    "category is the driver's responsibility."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name
