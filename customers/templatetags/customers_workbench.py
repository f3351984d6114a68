"""Counts on the agent's workbench (admin index)."""

from django import template
from django.conf import settings

from customers import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def key_change_counts(context) -> dict:
    """Key-field changes waiting for this user's review, and the user's own sent back."""
    user = context["request"].user
    return {"waiting": selectors.key_changes_waiting(user), "sent_back": selectors.key_changes_sent_back(user)}


@register.simple_tag(takes_context=True)
def profiles_due(context) -> int:
    """The user's own customers with an incomplete profile or one not checked for a long time."""
    return selectors.my_profiles_due(context["request"].user)


@register.simple_tag(takes_context=True)
def profiles_incomplete_after(context) -> dict:
    """The user's own customers still incomplete CUSTOMER_PROFILE_INCOMPLETE_DAYS after creation."""
    days = settings.CUSTOMER_PROFILE_INCOMPLETE_DAYS
    return {"count": selectors.profiles_incomplete_after(context["request"].user, days), "days": days}
