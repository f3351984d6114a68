"""Callback scripts and checklists: which script a callback gets, what the outcome form shows, and the
agent's checklist answers (recorded inside ``customers.services.callback_outcome_record``)."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.utils.translation import gettext as _

from care import rules
from care.errors import CareError
from care.models import CallbackScript, ChecklistAnswer, ChecklistItem
from customers.models import ContactLog


def _active_scripts() -> dict[str, dict[str, CallbackScript]]:
    """{purpose: {reason prefix: script}} with each script's active items prefetched (one small table)."""
    scripts: dict[str, dict[str, CallbackScript]] = defaultdict(dict)
    for script in CallbackScript.objects.filter(is_active=True).prefetch_related("items"):
        scripts[script.purpose][script.reason_prefix] = script
    return scripts


def _pick(contact: ContactLog, scripts: dict[str, dict[str, CallbackScript]]) -> CallbackScript | None:
    by_prefix = scripts.get(contact.purpose, {})
    prefix = rules.script_for_reason(contact.reason_key, list(by_prefix))
    return by_prefix.get(prefix) if prefix is not None else None


def callback_script_for(contact: ContactLog) -> CallbackScript | None:
    """The active script of the callback's purpose with the longest reason prefix it matches."""
    return _pick(contact, _active_scripts())


def script_text(script: CallbackScript, contact: ContactLog) -> str:
    """The script with ``{{ name }}`` and ``{{ company }}`` filled in for the callback's customer."""
    return (script.script.replace("{{ name }}", contact.customer.full_name or "")
            .replace("{{ company }}", settings.COMPANY_NAME))


def _items(script: CallbackScript) -> list[ChecklistItem]:
    return [item for item in script.items.all() if item.is_active]


def callback_guides(contacts) -> dict[int, dict]:
    """customers' callback-guide provider: for each callback, its script and checklist items."""
    scripts = _active_scripts()
    guides = {}
    for contact in contacts:
        script = _pick(contact, scripts)
        if script is not None:
            guides[contact.pk] = {"title": script.name, "script": script_text(script, contact),
                                  "items": [(item.pk, item.text) for item in _items(script)]}
    return guides


def checklist_answers_record(*, contact: ContactLog, answers: dict[int, bool]) -> int:
    """Store the agent's yes/no answers to the callback script's checklist (once per callback and item).
    Refuses answers when the customer was not reached and items that are not the callback's script's.
    Returns how many answers were stored."""
    if not answers:
        return 0
    if contact.outcome != ContactLog.Outcome.REACHED:
        raise CareError(_("The checklist is answered only when the customer was reached."), field="outcome")
    script = callback_script_for(contact)
    allowed = {item.pk for item in _items(script)} if script else set()
    if set(answers) - allowed:
        raise CareError(_("These checklist items are not this callback's."), code="checklist_item")
    ChecklistAnswer.objects.bulk_create(
        [ChecklistAnswer(contact=contact, item_id=item_id, answer=bool(value)) for item_id, value in answers.items()],
        ignore_conflicts=True)
    return len(answers)
