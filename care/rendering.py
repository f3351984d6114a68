"""Rendering a care message from an occasion's template for a customer's tier."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.template import Context, Template

from care.adapters import tier_label
from care.models import Occasion, OccasionTemplate, _template_engine


@dataclass
class CompiledTemplate:
    template: OccasionTemplate
    subject: Template | None
    body: Template
    coupon: dict

    def render(self, *, name: str, tier: str, occasion: Occasion, date: dt.date | None) -> tuple[str, str]:
        context = {
            "name": name,
            "tier": tier_label(tier),
            "benefit": self.template.benefit,
            "occasion": occasion.name,
            "date": date,
            "company": settings.COMPANY_NAME,
        }
        subject = self.subject.render(Context(context, autoescape=False)).strip() if self.subject else ""
        return subject, self.body.render(Context(context, autoescape=False)).strip()


# Two placeholder names of different lengths and first letters (see ``NameOnlyRenderer``).
# Private-use characters: never in a real name, and storable in PostgreSQL text (unlike NUL).
_PROBES = ("\ue000name-probe-a\ue000", "\ue001z\ue001")


class NameOnlyRenderer:
    """Renders one template for many customers of the same tier and occasion, where only the name
    changes: the template is rendered once with a placeholder name and the name substituted. This
    is exact only if the template uses the name as plain text, which is checked by rendering with
    two different placeholders; otherwise (filters on the name, conditions on it) every customer is
    rendered in full."""

    def __init__(self, compiled: CompiledTemplate, *, tier: str, occasion: Occasion, date):
        self.compiled, self.tier, self.occasion, self.date = compiled, tier, occasion, date
        a = compiled.render(name=_PROBES[0], tier=tier, occasion=occasion, date=date)
        b = compiled.render(name=_PROBES[1], tier=tier, occasion=occasion, date=date)
        swapped = tuple(part.replace(_PROBES[0], _PROBES[1]) for part in a)
        self.fast = swapped == b and not any(_PROBES[0] in part for part in b)
        self.parts = a

    def render(self, name: str) -> tuple[str, str]:
        if self.fast:
            return tuple(part.replace(_PROBES[0], name) for part in self.parts)
        return self.compiled.render(name=name, tier=self.tier, occasion=self.occasion, date=self.date)


class TemplateSet:
    """An occasion's compiled templates: the tier's own, else the blank-tier default."""

    def __init__(self, occasion: Occasion):
        self.occasion = occasion
        self.by_tier: dict[str, CompiledTemplate] = {}
        for template in occasion.templates.all():
            self.by_tier[template.tier] = CompiledTemplate(
                template=template,
                subject=_template_engine.from_string(template.subject) if template.subject else None,
                body=_template_engine.from_string(template.body),
                coupon=template.coupon_spec(),
            )

    def for_tier(self, tier: str) -> CompiledTemplate | None:
        return self.by_tier.get(tier) or self.by_tier.get("")

    def __bool__(self):
        return bool(self.by_tier)
