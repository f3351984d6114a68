"""The start page's registry: each app adds the sections of its work that a user's permissions allow.

Apps register a provider in their ``AppConfig.ready()``:

    from core import inbox
    inbox.register_provider(complaints_sections)

``provider(user, now) -> list[Section]`` must run a constant number of queries whatever the data
size (its counts come from the app's selectors, one aggregate each) and return no section the user
may not open. core imports no app: the start page knows the apps only through this registry.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass
class Item:
    label: str
    count: int | None = None  # None: a plain link (the dashboard, an export)
    url: str = ""
    due_at: dt.datetime | None = None  # shown as a countdown (the next deadline)
    value: str = ""  # a figure already formatted (a KPI)
    level: str = ""  # "", "warn" or "bad": how the count is highlighted


@dataclass
class Section:
    key: str
    title: str
    order: int
    items: list[Item] = field(default_factory=list)


_providers: list[Callable] = []


def register_provider(provider: Callable) -> None:
    if provider not in _providers:
        _providers.append(provider)


def sections_for(user, *, now: dt.datetime | None = None) -> list[Section]:
    """Every section the registered apps offer ``user``, in their order; empty sections dropped."""
    now = now or timezone.now()
    merged: dict[str, Section] = {}
    for provider in _providers:
        for section in provider(user, now) or []:
            if section.key in merged:  # two apps adding to one section (the reports)
                merged[section.key].items += section.items
            else:
                merged[section.key] = section
    return sorted((s for s in merged.values() if s.items), key=lambda s: (s.order, s.key))
