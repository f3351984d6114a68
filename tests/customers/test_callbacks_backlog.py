"""我今天的回访 with a backlog: sorted by due date with the overdue first and apart, counted, paged,
and recording an outcome on page 2 brings the agent back to page 2."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from customers.models import ContactLog
from tests.factories import ContactLogFactory, CustomerFactory

URL = reverse("admin:customers_customer_callbacks")


def backlog(agent, *, overdue: int, today: int):
    day = timezone.localdate()
    made = []
    for n in range(overdue):
        made.append(ContactLogFactory(customer=CustomerFactory(), agent=agent, status=ContactLog.Status.SCHEDULED,
                                      due_on=day - dt.timedelta(days=1 + n % 30), happened_at=None))
    for _n in range(today):
        made.append(ContactLogFactory(customer=CustomerFactory(), agent=agent, status=ContactLog.Status.SCHEDULED,
                                      due_on=day, happened_at=None))
    return made


def test_sixty_callbacks_are_sorted_by_due_date_overdue_first_counted_and_paged(agent_client, agent, settings):
    settings.WORK_LIST_PER_PAGE = 50
    backlog(agent, overdue=40, today=20)
    today = timezone.localdate()

    first = agent_client.get(URL)
    second = agent_client.get(URL, {"p": 2})

    assert first.context["counts"] == {"total": 60, "overdue": 40, "today": 20}
    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 10
    due = [r["contact"].due_on for r in first.context["rows"] + second.context["rows"]]
    assert due == sorted(due)
    assert [r["overdue"] for r in first.context["rows"][:40]] == [True] * 40
    assert not any(r["overdue"] for r in second.context["rows"]) and due[-1] == today
    body = first.content.decode()
    assert 'id="overdue"' in body and 'id="due-today"' in body
    assert body.index('id="overdue"') < body.index('id="due-today"')
    assert "?p=2" in body


def test_saving_an_outcome_on_page_two_returns_to_page_two_at_the_next_row(agent_client, agent, settings):
    settings.WORK_LIST_PER_PAGE = 50
    backlog(agent, overdue=40, today=20)
    page_two = agent_client.get(URL, {"p": 2})
    rows = page_two.context["rows"]
    contact, following = rows[0]["contact"], rows[1]["contact"]
    prefix = f"c{contact.pk}"

    response = agent_client.post(reverse("admin:customers_customer_callback_outcome", args=[contact.pk]), {
        f"{prefix}-outcome": "not_reached", "next": rows[0]["next"]})

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?p=2#cb-{following.pk}"
    contact.refresh_from_db()
    assert contact.status == ContactLog.Status.DONE
    back = agent_client.get(response["Location"].split("#")[0])
    assert back.context["page_obj"].number == 2
    assert back.context["counts"]["total"] == 59


def test_the_outcome_form_carries_the_page_in_next(agent_client, agent, settings):
    settings.WORK_LIST_PER_PAGE = 5
    backlog(agent, overdue=3, today=4)

    body = agent_client.get(URL, {"p": 2}).content.decode()

    assert 'name="next" value="/admin/customers/customer/callbacks/?p=2#' in body


def test_a_page_past_the_end_shows_the_last_page(agent_client, agent, settings):
    settings.WORK_LIST_PER_PAGE = 5
    backlog(agent, overdue=0, today=6)

    response = agent_client.get(URL, {"p": 9})

    assert response.status_code == 200 and response.context["page_obj"].number == 2
