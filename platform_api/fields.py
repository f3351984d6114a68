"""Serializer fields shared by the apps' API endpoints: the platform's order id and a mainland mobile
(normalised by ``customers.validators``, the same function the models and the admin use)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.validators import normalise_mobile

EXTERNAL_ID_REGEX = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"
EXTERNAL_ID_HELP = _("The platform's own order id: 1–64 letters, digits, “_”, “-”, “.”, “:”.")


class MobileField(serializers.CharField):
    """A mainland mobile, normalised to 11 digits by ``customers.validators.normalise_mobile``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool):
            data = str(data)
        value = super().to_internal_value(data)
        try:
            return normalise_mobile(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc
