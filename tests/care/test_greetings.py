"""Birthday and holiday greetings: who is greeted, once per occasion and year, by tier."""

import datetime as dt

import pytest

from care.models import CampaignRun, Message, Occasion, OccasionTemplate
from care.services import birthday_greetings_enqueue, holiday_greetings_enqueue, occasions_in_window
from customers.models import Customer
from loyalty.models import LoyaltyAccount, Tier
from tests.care.conftest import local
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_customer_is_greeted_on_the_birthday_with_the_rendered_template(birthday_occasion):
    # given a consenting customer born on 23 November
    customer = CustomerFactory(birthday=dt.date(1985, 11, 23), marketing_consent=True)
    CustomerFactory(birthday=dt.date(1985, 11, 24), marketing_consent=True)
    # when the birthday job runs on 23 November
    created = birthday_greetings_enqueue(today=dt.date(2026, 11, 23), now=local(2026, 11, 23, 9))
    # then exactly that customer has a queued greeting naming them
    message = Message.objects.get()
    assert created == 1
    assert message.customer == customer and message.status == Message.Status.QUEUED
    assert customer.full_name in message.body and "生日快乐" in message.body
    assert (message.occasion, message.year, message.occasion_date) == (birthday_occasion, 2026, dt.date(2026, 11, 23))


def test_running_the_birthday_job_twice_creates_nothing_twice(birthday_occasion):
    CustomerFactory(birthday=dt.date(1985, 11, 23), marketing_consent=True)
    birthday_greetings_enqueue(today=dt.date(2026, 11, 23), now=local(2026, 11, 23, 9))
    # when the job runs again (late, after a crash, twice at once)
    second = birthday_greetings_enqueue(today=dt.date(2026, 11, 23), now=local(2026, 11, 23, 15))
    assert second == 0
    assert Message.objects.count() == 1


def test_29_february_birthday_is_greeted_on_28_february_in_a_non_leap_year(birthday_occasion):
    leapling = CustomerFactory(birthday=dt.date(1992, 2, 29), marketing_consent=True)
    regular = CustomerFactory(birthday=dt.date(1990, 2, 28), marketing_consent=True)
    birthday_greetings_enqueue(today=dt.date(2027, 2, 28), now=local(2027, 2, 28, 9))
    assert set(Message.objects.values_list("customer_id", flat=True)) == {leapling.pk, regular.pk}


def test_29_february_birthday_is_greeted_on_29_february_in_a_leap_year(birthday_occasion):
    leapling = CustomerFactory(birthday=dt.date(1992, 2, 29), marketing_consent=True)
    birthday_greetings_enqueue(today=dt.date(2028, 2, 28), now=local(2028, 2, 28, 9))
    assert not Message.objects.exists()
    birthday_greetings_enqueue(today=dt.date(2028, 2, 29), now=local(2028, 2, 29, 9))
    assert list(Message.objects.values_list("customer_id", flat=True)) == [leapling.pk]


def test_lunar_birthday_follows_the_lunar_date_not_the_solar_one(birthday_occasion):
    # given a customer born 1960-03-02 (lunar 2nd month, 5th day) who celebrates the lunar birthday
    lunar = CustomerFactory(birthday=dt.date(1960, 3, 2), birthday_is_lunar=True, marketing_consent=True)
    # when the job runs on the solar anniversary in 2027: nothing
    birthday_greetings_enqueue(today=dt.date(2027, 3, 2), now=local(2027, 3, 2, 9))
    assert not Message.objects.filter(customer=lunar).exists()
    # and on lunar 2027-02-05 (solar 2027-03-12) the greeting is queued
    birthday_greetings_enqueue(today=dt.date(2027, 3, 12), now=local(2027, 3, 12, 9))
    assert Message.objects.filter(customer=lunar).count() == 1


def test_customer_without_consent_gets_a_skipped_row_with_the_reason(birthday_occasion):
    CustomerFactory(birthday=dt.date(1985, 11, 23), marketing_consent=False)
    birthday_greetings_enqueue(today=dt.date(2026, 11, 23), now=local(2026, 11, 23, 9))
    message = Message.objects.get()
    assert message.status == Message.Status.SKIPPED
    assert message.status_reason


def test_anonymised_customers_are_never_greeted_and_dormant_ones_follow_the_setting(birthday_occasion, settings):
    CustomerFactory(birthday=dt.date(1985, 11, 23), marketing_consent=True, status=Customer.Status.ANONYMISED,
                    mobile=None)
    dormant = CustomerFactory(birthday=dt.date(1985, 11, 23), marketing_consent=True,
                              status=Customer.Status.DORMANT)
    settings.CARE_GREET_DORMANT = False
    birthday_greetings_enqueue(today=dt.date(2026, 11, 23), now=local(2026, 11, 23, 9))
    assert not Message.objects.exists()
    # dormant customers get win-back greetings by default
    settings.CARE_GREET_DORMANT = True
    birthday_greetings_enqueue(today=dt.date(2026, 11, 23), now=local(2026, 11, 23, 9))
    assert list(Message.objects.values_list("customer_id", flat=True)) == [dormant.pk]


def test_template_and_benefit_follow_the_customers_tier(birthday_occasion):
    gold = CustomerFactory(birthday=dt.date(1985, 11, 23), marketing_consent=True)
    LoyaltyAccount.objects.create(customer=gold, tier=Tier.GOLD)
    normal = CustomerFactory(birthday=dt.date(1985, 11, 23), marketing_consent=True)
    birthday_greetings_enqueue(today=dt.date(2026, 11, 23), now=local(2026, 11, 23, 9))
    gold_msg, normal_msg = Message.objects.get(customer=gold), Message.objects.get(customer=normal)
    assert gold_msg.tier == "gold" and "8折" in gold_msg.body
    assert gold_msg.coupon == {"kind": "percent", "amount": None, "percent": "20.00", "valid_days": 1}
    assert normal_msg.tier == "normal" and normal_msg.coupon == {}


def test_birthday_offset_greets_n_days_before(birthday_occasion):
    Occasion.objects.filter(pk=birthday_occasion.pk).update(send_offset_days=2)
    customer = CustomerFactory(birthday=dt.date(1985, 11, 25), marketing_consent=True)
    birthday_greetings_enqueue(today=dt.date(2026, 11, 23), now=local(2026, 11, 23, 9))
    assert Message.objects.get().customer == customer


def test_holiday_window_runs_from_the_offset_to_the_day_itself(spring_festival):
    # Spring Festival 2027 is 6 February; the default offset is one day
    assert [o.code for o, _d in occasions_in_window(dt.date(2027, 2, 4))] == []
    assert [o.code for o, _d in occasions_in_window(dt.date(2027, 2, 5))] == ["spring_festival"]
    assert [o.code for o, _d in occasions_in_window(dt.date(2027, 2, 6))] == ["spring_festival"]
    assert [o.code for o, _d in occasions_in_window(dt.date(2027, 2, 7))] == []


def test_holiday_greetings_go_once_to_every_greetable_customer_even_over_several_days(spring_festival):
    a = CustomerFactory(marketing_consent=True)
    CustomerFactory(marketing_consent=False)
    counts = holiday_greetings_enqueue(today=dt.date(2027, 2, 5), now=local(2027, 2, 5, 9))
    assert counts == {"spring_festival": 2}
    # a new customer arrives; the job runs again on the holiday itself
    c = CustomerFactory(marketing_consent=True)
    counts = holiday_greetings_enqueue(today=dt.date(2027, 2, 6), now=local(2027, 2, 6, 9))
    assert counts == {"spring_festival": 1}
    assert Message.objects.filter(occasion=spring_festival, year=2027).count() == 3
    queued = Message.objects.filter(status=Message.Status.QUEUED).values_list("customer_id", flat=True)
    assert set(queued) == {a.pk, c.pk}
    run = CampaignRun.objects.get(occasion=spring_festival, year=2027)
    assert run.enqueued == 3 and run.finished_at is not None


def test_an_occasion_without_templates_sends_nothing(spring_festival):
    OccasionTemplate.objects.filter(occasion=spring_festival).delete()
    CustomerFactory(marketing_consent=True)
    assert holiday_greetings_enqueue(today=dt.date(2027, 2, 6), now=local(2027, 2, 6, 9)) == {"spring_festival": 0}


def test_database_refuses_a_second_message_for_the_same_occasion_and_year(birthday_occasion):
    from django.db import IntegrityError, transaction

    customer = CustomerFactory()
    fields = {"customer": customer, "occasion": birthday_occasion, "year": 2026, "body": "x",
              "send_after": local(2026, 11, 23, 9)}
    Message.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(**fields)


def test_templates_that_transform_the_name_are_rendered_in_full_for_each_customer(birthday_occasion):
    # given a template that uses only the surname (a filter on the name)
    OccasionTemplate.objects.filter(occasion=birthday_occasion).delete()
    OccasionTemplate.objects.create(occasion=birthday_occasion, tier="",
                                    body="{{ name|slice:':1' }}先生/女士，生日快乐")
    CustomerFactory(full_name="欧阳明", birthday=dt.date(1985, 11, 23), marketing_consent=True)
    CustomerFactory(full_name="王小红", birthday=dt.date(1986, 11, 23), marketing_consent=True)
    birthday_greetings_enqueue(today=dt.date(2026, 11, 23), now=local(2026, 11, 23, 9))
    assert sorted(Message.objects.values_list("body", flat=True)) == ["欧先生/女士，生日快乐", "王先生/女士，生日快乐"]


def test_plain_name_templates_render_every_customer_with_their_own_name(spring_festival):
    names = ["张伟", "李娜", "司马相如"]
    for name in names:
        CustomerFactory(full_name=name, marketing_consent=True)
    holiday_greetings_enqueue(today=dt.date(2027, 2, 6), now=local(2027, 2, 6, 9))
    bodies = {m.customer.full_name: m.body for m in Message.objects.select_related("customer")}
    assert all(bodies[n].startswith(f"{n}您好！") for n in names)
