"""One callback-outcome service behind every screen (issue 17, item 3): recording a complaint
follow-up from "my callbacks due today" gives the order its review, as the care callback screen does."""

from django.urls import reverse

from care.services import callback_schedule_after_complaint
from customers.models import ContactLog, OrderEvent, Review
from tests.factories import OrderFactory


def _follow_up(agent, ref):
    order = OrderFactory()
    contact = callback_schedule_after_complaint(customer=order.customer, complaint_ref=ref, order=order, agent=agent)
    return order, contact


def test_my_callbacks_due_today_turns_a_reached_follow_up_into_the_orders_review(agent_client, agent):
    # given a complaint follow-up about an order on the agent's list
    order, contact = _follow_up(agent, "TS2611-0101")
    # when the agent records it from "my callbacks due today": reached, 4 stars, would recommend 8
    agent_client.post(reverse("admin:customers_customer_callback_outcome", args=[contact.pk]), {
        f"c{contact.pk}-outcome": "reached", f"c{contact.pk}-satisfaction": "4",
        f"c{contact.pk}-recommend_score": "8", f"c{contact.pk}-notes": "满意处理结果"})
    # then the order has its review from the callback, and the reviewed event is emitted
    review = Review.objects.get(order=order)
    assert (review.rating, review.recommend_score, review.source, review.comment) == (
        4, 8, Review.Source.CALLBACK, "满意处理结果")
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.REVIEWED).exists()


def test_both_screens_record_the_same_way(client, agent):
    # given two follow-ups, one recorded from each screen by a user who may use both
    from tests.factories import SupervisorFactory

    supervisor = SupervisorFactory()
    client.force_login(supervisor)
    order_a, contact_a = _follow_up(supervisor, "TS2611-0102")
    order_b, contact_b = _follow_up(supervisor, "TS2611-0103")
    client.post(reverse("admin:customers_customer_callback_outcome", args=[contact_a.pk]), {
        f"c{contact_a.pk}-outcome": "reached", f"c{contact_a.pk}-satisfaction": "5"})
    client.post(reverse("admin:care_callback_record", args=[contact_b.pk]), {"outcome": "reached", "satisfaction": "5"})
    # then both callbacks are done and both orders have a callback review
    assert set(ContactLog.objects.filter(pk__in=[contact_a.pk, contact_b.pk]).values_list("status", flat=True)) == {
        ContactLog.Status.DONE}
    assert set(Review.objects.values_list("order_id", "source")) == {
        (order_a.pk, Review.Source.CALLBACK), (order_b.pk, Review.Source.CALLBACK)}
