"""Routing rules and canned replies: data a manager edits under 系统设置."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models.reference import ROLE_CHOICES, Category, Grade


class RoutingRule(models.Model):
    """Which role owns a complaint of a category and/or grade, and which role is told besides.
    The most specific matching rule wins (category and grade > grade > category); a complaint no
    rule matches goes to its grade's owner role (``complaints.rules.route``)."""

    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="routing_rules",
                                 help_text=_("Empty: every category."))
    grade = models.ForeignKey(Grade, verbose_name=_("grade"), null=True, blank=True, on_delete=models.CASCADE,
                              related_name="routing_rules", help_text=_("Empty: every grade."))
    role = models.CharField(_("owner role"), max_length=20, choices=ROLE_CHOICES)
    informed_role = models.CharField(_("informed role"), max_length=20, choices=ROLE_CHOICES, blank=True,
                                     help_text=_("Told of each new complaint of this rule (optional)."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["grade__rank", "category__position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(category__isnull=False) | Q(grade__isnull=False),
                                   name="routing_rule_names_category_or_grade"),
            models.UniqueConstraint(fields=["category", "grade"], name="uniq_routing_rule_category_grade"),
            models.UniqueConstraint(fields=["category"], condition=Q(grade__isnull=True),
                                    name="uniq_routing_rule_category_only"),
            models.UniqueConstraint(fields=["grade"], condition=Q(category__isnull=True),
                                    name="uniq_routing_rule_grade_only"),
        ]

    def __str__(self):
        every = _("every")
        return f"{self.category or every} / {self.grade or every} → {self.get_role_display()}"


class Macro(models.Model):
    """A canned reply: text with placeholders ({customer_name}, {number}, {due}, {category},
    {grade}, {measures}) filled for the complaint at hand, for notes and messages to the customer.
    Without a category it is offered for every complaint."""

    PLACEHOLDERS = ("customer_name", "number", "due", "category", "grade", "measures")

    name = models.CharField(_("name"), max_length=60)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="macros",
                                 help_text=_("Empty: offered for every category."))
    text = models.TextField(_("text"), help_text=_(
        "Placeholders: {customer_name}, {number}, {due}, {category}, {grade}, {measures}."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name
