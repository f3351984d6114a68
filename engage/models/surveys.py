"""Questionnaires as data: questions on the five-level scale (非常不满意 … 非常满意) or 0–10 (how likely
to recommend), sent to customers as a signed link; one invitation per customer and questionnaire,
answered once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from care.models import validate_template_text


def _default_valid_days():
    return settings.ENGAGE_SURVEY_VALID_DAYS


class Questionnaire(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=100)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Shown above the questions."))
    message = models.TextField(
        _("message"), max_length=300, validators=[validate_template_text],
        help_text=_("The SMS with the link: {{ name }}, {{ link }}, {{ company }}."))
    valid_days = models.PositiveSmallIntegerField(_("link valid (days)"), default=_default_valid_days)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-created_at"]
        permissions = [("send_questionnaire", _("Can send questionnaires to customers"))]
        constraints = [models.CheckConstraint(condition=Q(valid_days__gte=1, valid_days__lte=90),
                                              name="engage_questionnaire_valid_days_1_90")]

    def __str__(self):
        return self.title


class Question(models.Model):
    class Scale(models.TextChoices):
        LIKERT = "likert5", _("Five-level scale (very dissatisfied … very satisfied)")
        RECOMMEND = "nps11", _("0–10 (how likely to recommend)")

    class Role(models.TextChoices):
        NONE = "", _("Only in the survey results")
        SATISFACTION = "satisfaction", _("Becomes the order's rating (satisfaction)")
        RECOMMEND = "recommend", _("Becomes the recommend score (NPS)")

    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE,
                                      related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.CharField(_("question"), max_length=200)
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices, default=Scale.LIKERT)
    role = models.CharField(_("counts as"), max_length=15, choices=Role.choices, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "position"], name="engage_question_position_unique"),
            models.UniqueConstraint(fields=["questionnaire", "role"], condition=~Q(role=""),
                                    name="engage_question_one_per_role"),
            models.CheckConstraint(condition=Q(role="") | Q(role="satisfaction", scale="likert5")
                                   | Q(role="recommend", scale="nps11"), name="engage_question_role_scale"),
        ]

    def __str__(self):
        return self.text

    @property
    def values(self) -> range:
        return range(1, 6) if self.scale == self.Scale.LIKERT else range(0, 11)


class SurveyInvitation(models.Model):
    """One questionnaire sent to one customer (the outbox message carries the signed link). ``order``
    is the customer's latest completed order when it was sent: the answer becomes that order's review
    (source survey) if the order has none."""

    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT,
                                      related_name="invitations")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="survey_invitations")
    order = models.ForeignKey("customers.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey("care.Message", verbose_name=_("message"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("link valid until"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=500, blank=True)
    review = models.ForeignKey("customers.Review", verbose_name=_("review"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("survey sent")
        verbose_name_plural = _("surveys sent")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "customer"],
                                               name="engage_one_invitation_per_customer")]
        indexes = [models.Index(fields=["answered_at"], name="engage_invitation_answered_idx")]

    def __str__(self):
        return f"{self.questionnaire} → {self.customer_id}"


class SurveyAnswer(models.Model):
    invitation = models.ForeignKey(SurveyInvitation, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT,
                                 related_name="answers")
    value = models.PositiveSmallIntegerField(_("answer"))

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "question"], name="engage_one_answer_per_question"),
            models.CheckConstraint(condition=Q(value__lte=10), name="engage_answer_0_10"),
        ]
