"""The start page's sections (``core.inbox``) for the admin index."""

from django import template

from core.inbox import sections_for

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_sections(context) -> list:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return sections_for(request.user)


@register.filter
def is_past(value) -> bool:
    from django.utils import timezone

    return value is not None and value < timezone.now()
