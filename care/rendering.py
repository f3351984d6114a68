"""Rendering a care message from an occasion's template for a customer's tier."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.template import Context, Template

from care.loyalty_bridge import tier_label
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
