import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from care.channels import ChannelBackend, PermanentDeliveryError, TransientDeliveryError


class EmailBackend(ChannelBackend):
    """Through Django's configured email backend (``EMAIL_URL``)."""

    channel = "email"

    def address_for(self, customer) -> str | None:
        return customer.email or None

    def send(self, *, address, subject, body, message) -> str:
        email = EmailMessage(subject=subject or settings.COMPANY_NAME, body=body,
                             from_email=settings.DEFAULT_FROM_EMAIL, to=[address])
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(f"address refused: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientDeliveryError(f"mail server: {exc}") from exc
        return f"email-{getattr(message, 'pk', '')}"
