"""Engagement's handlers in the customers registries (connected in ``EngageConfig.ready``)."""

from __future__ import annotations

from django.db.models import Model

from engage.models import EventInvitation, SurveyInvitation

# (model, the field that must stay unique per customer) of every engagement row about a customer.
PER_CUSTOMER = [(SurveyInvitation, "questionnaire", "answered_at"), (EventInvitation, "event", "responded_at")]


def _move(model: type[Model], key: str, done_field: str, *, kept, duplicate) -> int:
    """Move the duplicate's rows to the kept customer; where both have one for the same ``key`` the
    answered one (``done_field`` set) is kept, else the kept customer's."""
    moved = 0
    for row in model.objects.filter(customer=duplicate):
        clash = model.objects.filter(customer=kept, **{key: getattr(row, f"{key}_id")}).first()
        if clash is not None:
            if getattr(row, done_field) is None or getattr(clash, done_field) is not None:
                row.delete()
                continue
            clash.delete()
        row.customer = kept
        row.save(update_fields=["customer"])
        moved += 1
    return moved


def move_on_merge(*, kept, duplicate) -> dict:
    return {f"engage_{model._meta.model_name}": _move(model, key, done, kept=kept, duplicate=duplicate)
            for model, key, done in PER_CUSTOMER}


def scrub_on_anonymise(*, customer) -> None:
    """Free text the customer wrote in surveys is removed (also from the reviews the surveys wrote); the
    answers stay for the figures. The rule lives in the surveys service."""
    from engage.services import survey_comments_scrub

    survey_comments_scrub(customer=customer)


def connect() -> None:
    from customers import hooks as customer_hooks

    customer_hooks.register_merge_handler(move_on_merge)
    customer_hooks.register_anonymise_handler(scrub_on_anonymise)
