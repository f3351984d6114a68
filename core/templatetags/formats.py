"""``{% load formats %}``: ``{{ n|count }}``, ``{{ amount|yuan }}``, ``{{ r|rate }}`` (core.formats)."""

from django import template

from core import formats

register = template.Library()
register.filter("count", formats.count)
register.filter("yuan", formats.money)
register.filter("rate", formats.rate)
register.filter("hours", formats.hours)
