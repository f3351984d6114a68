"""The engagement admin (sidebar group 关怀): customer segments, questionnaires (define, send, results),
surveys sent; appreciation events and campaigns. Every action calls a service."""

from engage.admin import campaigns, events, segments, surveys  # noqa: F401
