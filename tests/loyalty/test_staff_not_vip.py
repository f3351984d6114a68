"""Staff cannot be VIP customers (001 篇2: 公司内部人员不能成为VIP客户): a customer whose mobile or ID
number is a current member of staff's stays at the entry tier, however much they ride; both the
customer's page and the staff member's page say so."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core import crypto
from core.models import StaffProfile
from core.roles import Role
from loyalty import rules, selectors, services
from loyalty.errors import LoyaltyError
from loyalty.models import LoyaltyAccount, Tier, TierChange
from tests.factories import CustomerFactory, StaffFactory
from tests.loyalty.conftest import push_completed

pytestmark = pytest.mark.django_db
STAFF_ID = "11010519491231002X"


def _staff_with(*, phone="", id_number=""):
    staff = StaffFactory(role=Role.CS_AGENT)
    profile = StaffProfile.objects.get(user=staff)
    profile.phone = phone
    if id_number:
        profile.id_number_index = crypto.blind_index(id_number)
    profile.save()
    return staff


def test_rule_caps_staff_at_the_entry_tier_only():
    assert rules.capped_tier(rules.DIAMOND, is_staff=True) == rules.ENTRY_TIER
    assert rules.capped_tier(rules.DIAMOND, is_staff=False) == rules.DIAMOND


def test_a_staff_members_own_mobile_rides_enough_for_silver_but_stays_normal():
    customer = CustomerFactory(mobile="13911112222")
    _staff_with(phone="139 1111 2222")
    push_completed(customer, fee="1200")  # ¥1,200: silver for anyone else
    assert selectors.customer_tier(customer) == Tier.NORMAL
    other = CustomerFactory()
    push_completed(other, fee="1200")
    assert selectors.customer_tier(other) == Tier.SILVER


def test_the_same_id_number_makes_the_customer_staff_even_with_another_mobile():
    customer = CustomerFactory(id_number=STAFF_ID)
    _staff_with(id_number=STAFF_ID)
    push_completed(customer, fee="1200")
    assert selectors.customer_tier(customer) == Tier.NORMAL


def test_a_staff_member_who_left_can_become_vip():
    customer = CustomerFactory(mobile="13911112222")
    staff = _staff_with(phone="13911112222")
    StaffProfile.objects.filter(user=staff).update(left_at=dt.date(2025, 1, 1))
    push_completed(customer, fee="1200")
    assert selectors.customer_tier(customer) == Tier.SILVER


def test_monthly_review_brings_a_staff_vip_down_at_once_even_a_tier_held_by_hand():
    customer = CustomerFactory(mobile="13911112222")
    LoyaltyAccount.objects.create(customer=customer, tier=Tier.GOLD, manual_until=dt.date(2099, 1, 1),
                                  manual_reason="大客户")
    _staff_with(phone="13911112222")
    counts = services.monthly_tier_review(now=timezone.now())
    account = LoyaltyAccount.objects.get(customer=customer)
    assert (account.tier, account.manual_until, counts["staff_capped"]) == (Tier.NORMAL, None, 1)
    change = TierChange.objects.get(customer=customer)
    assert (change.from_tier, change.to_tier, change.reason) == (Tier.GOLD, Tier.NORMAL, TierChange.Reason.STAFF)


def test_monthly_review_does_not_lift_staff_whose_figures_qualify():
    customer = CustomerFactory(mobile="13911112222")
    _staff_with(phone="13911112222")
    push_completed(customer, fee="1200")
    LoyaltyAccount.objects.filter(customer=customer).update(last_review_on=None)
    services.monthly_tier_review(now=timezone.now())
    assert selectors.customer_tier(customer) == Tier.NORMAL


def test_a_supervisor_cannot_set_a_staff_customer_to_gold_by_hand():
    customer = CustomerFactory(mobile="13911112222")
    _staff_with(phone="13911112222")
    supervisor = StaffFactory(role=Role.CS_SUPERVISOR)
    with pytest.raises(LoyaltyError) as exc:
        services.tier_set_manually(customer=customer, tier=Tier.GOLD, reason="朋友", actor=supervisor,
                                   until=timezone.localdate() + dt.timedelta(days=30))
    assert exc.value.field == "tier"
    assert not TierChange.objects.filter(customer=customer).exists()


def test_both_pages_flag_the_match(client):
    customer = CustomerFactory(mobile="13911112222", full_name="王小明")
    staff = _staff_with(phone="13911112222")
    admin = StaffFactory(role=Role.CS_SUPERVISOR, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    assert 'id="staff-member-notice"' in page
    staff_page = client.get(reverse("admin:auth_user_change", args=[staff.pk])).content.decode()
    assert reverse("admin:customers_customer_change", args=[customer.pk]) in staff_page
    other = CustomerFactory()
    assert 'id="staff-member-notice"' not in client.get(
        reverse("admin:customers_customer_change", args=[other.pk])).content.decode()


def test_the_staff_page_takes_an_id_number_and_keeps_it_only_encrypted(client):
    admin = StaffFactory(role=Role.CS_SUPERVISOR, is_superuser=True)
    staff = StaffFactory(role=Role.CS_AGENT)
    client.force_login(admin)
    url = reverse("admin:auth_user_change", args=[staff.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("groups", "user_permissions",
                                                                                 "last_login", "date_joined")}
    data.update({"date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
                 "groups": [g.pk for g in staff.groups.all()],
                 "staff_profile-TOTAL_FORMS": "1", "staff_profile-INITIAL_FORMS": "1",
                 "staff_profile-0-id": StaffProfile.objects.get(user=staff).pk, "staff_profile-0-user": staff.pk,
                 "staff_profile-0-phone": "13911112222", "staff_profile-0-id_number": "110105194912310021",
                 "staff_profile-0-takes_customers": "on"})
    bad = client.post(url, data)
    assert bad.status_code == 200  # wrong check digit: a form error, nothing written
    assert StaffProfile.objects.get(user=staff).id_number_index is None
    data["staff_profile-0-id_number"] = STAFF_ID
    response = client.post(url, data)
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user=staff)
    assert profile.id_number_index == crypto.blind_index(STAFF_ID) and STAFF_ID not in profile.id_number_encrypted
    assert profile.id_number_masked.endswith("002X") and profile.id_number_masked != STAFF_ID
