from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey


class Platform(models.Model):
    """A source of orders: a third-party ride platform, or the company's own app."""

    class Kind(models.TextChoices):
        OWN_APP = "own_app", _("Own app")
        THIRD_PARTY = "third_party", _("Third-party platform")
        PHONE = "phone", _("The company's phone line (orders booked by agents)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.THIRD_PARTY)
    is_active = models.BooleanField(_("active"), default=True)
    push_webhook_url = models.URLField(_("app push webhook"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        """The push webhook must be a public https address (``core.webhooks``; checked again on send)."""
        super().clean()
        if self.push_webhook_url:
            from core.webhooks import UnsafeWebhookURL, webhook_url_check

            try:
                webhook_url_check(self.push_webhook_url)
            except UnsafeWebhookURL as exc:
                raise ValidationError({"push_webhook_url": str(exc)}) from exc


class PlatformAPIKey(AbstractAPIKey):
    """An API key of a platform: stored hashed, shown once, revocable; several per platform."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="api_keys")
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("platform API key")
        verbose_name_plural = _("platform API keys")


class PlatformAccount(models.Model):
    """A platform's own user id for one of our customers."""

    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT)
    external_user_id = models.CharField(_("platform user id"), max_length=100)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="platform_accounts"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("platform account")
        verbose_name_plural = _("platform accounts")
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_user_id"], name="uniq_platform_user"),
        ]
        indexes = [models.Index(fields=["external_user_id"], name="platformaccount_extid_idx")]

    def __str__(self):
        return f"{self.platform}: {self.external_user_id}"
