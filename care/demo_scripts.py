"""Demo data of issue 18 item 5 (no random draws): a dozen of today's scheduled callbacks recorded
through the one callback-outcome service with their script's checklist answered, so the callback
report's "checklist answers" table has figures."""

from __future__ import annotations

from care.services import callback_guides
from customers.models import ContactLog
from customers.services import callback_outcome_record

RECORDED = 12


def seed_checklist_answers(stdout) -> None:
    contacts = list(ContactLog.objects.filter(status=ContactLog.Status.SCHEDULED, agent__isnull=False,
                                              purpose=ContactLog.Purpose.CALLBACK)
                    .select_related("customer", "agent").order_by("pk")[:RECORDED])
    guides = callback_guides(contacts)
    answered = 0
    for n, contact in enumerate(contacts):
        items = guides.get(contact.pk, {}).get("items", [])
        # Every item answered; every third callback misses the last point (e.g. no offer mentioned).
        answers = {item_id: not (n % 3 == 0 and i == len(items) - 1) for i, (item_id, _text) in enumerate(items)}
        callback_outcome_record(contact=contact, actor=contact.agent, outcome=ContactLog.Outcome.REACHED,
                                satisfaction=5 if n % 4 else 4, recommend_score=9, notes="按话术回访",
                                answers=answers)
        answered += len(answers)
    stdout.write(f"care: {len(contacts)} callbacks recorded with {answered} checklist answers")
