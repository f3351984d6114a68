"""Thin Celery tasks: load ids, call a service. Every task is safe to run twice (outbox constraint,
row locks, reason keys)."""

from celery import shared_task
from django.conf import settings

from care import services


@shared_task(name="care.birthday_greetings")
def birthday_greetings() -> int:
    return services.birthday_greetings_enqueue()


@shared_task(name="care.holiday_greetings")
def holiday_greetings() -> dict:
    return services.holiday_greetings_enqueue()


@shared_task(name="care.anniversary_greetings")
def anniversary_greetings() -> dict:
    return services.anniversary_greetings_enqueue()


@shared_task(name="care.dispatch_messages")
def dispatch_messages() -> int:
    return services.messages_dispatch_due()


@shared_task(name="care.schedule_callbacks")
def schedule_callbacks() -> dict:
    return services.callbacks_schedule_due()


@shared_task(bind=True, name="care.deliver_message", max_retries=None)
def deliver_message(self, message_id: int) -> str:
    """Deliver one message; a transient channel error retries with the backoff the service chose
    (the message row keeps the attempts and the next time, so the dispatcher also catches a lost
    retry)."""
    result = services.message_deliver(message_id=message_id)
    if result.retry_in is not None and not self.request.called_directly and not settings.CELERY_TASK_ALWAYS_EAGER:
        raise self.retry(countdown=result.retry_in)
    return result.status
