"""Changes to key fields of an owned VIP go through supervisor review (001 篇2): the account manager
submits, a supervisor approves (applied then) or sends back with a note; the requester may withdraw."""

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core import crypto
from core.roles import Role
from customers.errors import CustomerError, DuplicateCustomer, NotAllowed
from customers.models import Customer, KeyFieldChange
from customers.services import (
    customer_anonymise,
    customer_merge,
    customer_update,
    encryption_keys_rotate,
    key_change_decide,
    key_change_withdraw,
)
from loyalty.models import LoyaltyAccount, Tier
from tests.factories import CustomerFactory, StaffFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def team():
    supervisor = SupervisorFactory(email="zhuguan@example.com")
    owner = StaffFactory(team=supervisor.staff_profile.team, username="owner-agent")
    return supervisor, owner


def vip(owner, tier=Tier.GOLD, **fields):
    customer = CustomerFactory(full_name="张伟", mobile="13800138000", owner=owner, **fields)
    LoyaltyAccount.objects.create(customer=customer, tier=tier)
    return customer


# --- submitting ---------------------------------------------------------------------------------
def test_the_owners_key_field_change_waits_while_other_changes_are_saved(team, django_capture_on_commit_callbacks):
    supervisor, owner = team
    customer = vip(owner)

    with django_capture_on_commit_callbacks(execute=True):
        saved = customer_update(customer=customer, actor=owner, full_name="张卫", mobile="139 0013 9000",
                                notes="客户搬家了", reason="客户来电更正")

    customer.refresh_from_db()
    assert (customer.full_name, customer.mobile, customer.notes) == ("张伟", "13800138000", "客户搬家了")
    change = KeyFieldChange.objects.get()
    assert saved.submitted_key_change == change
    assert change.status == KeyFieldChange.Status.PENDING and change.requested_by == owner
    assert change.changes == {"full_name": "张卫", "mobile": "13900139000"}
    assert change.previous == {"full_name": "张伟", "mobile": "13800138000"}
    assert change.reason == "客户来电更正"
    assert [m.to for m in mail.outbox] == [["zhuguan@example.com"]]
    assert f"/customers/keyfieldchange/{change.pk}/" in mail.outbox[0].body


def test_supervisors_managers_non_vips_and_pool_customers_are_changed_at_once(team, settings):
    supervisor, owner = team
    gold = vip(owner)
    customer_update(customer=gold, actor=supervisor, full_name="张卫")
    normal = CustomerFactory(owner=owner, full_name="李娜")
    customer_update(customer=normal, actor=owner, full_name="李娟")
    pool = CustomerFactory(owner=None, full_name="王芳", mobile="13700137000")
    LoyaltyAccount.objects.create(customer=pool, tier=Tier.DIAMOND)
    customer_update(customer=pool, actor=owner, full_name="王芬")
    settings.LOYALTY_VIP_MIN_TIER = Tier.DIAMOND
    customer_update(customer=gold, actor=owner, full_name="张维")  # gold is no VIP with this setting

    assert [c.full_name for c in Customer.objects.filter(pk__in=[gold.pk, normal.pk, pool.pk]).order_by("pk")] \
        == ["张维", "李娟", "王芬"]
    assert not KeyFieldChange.objects.exists()


def test_a_bad_or_duplicate_value_is_refused_at_submission_and_nothing_is_written(team):
    _supervisor, owner = team
    customer = vip(owner)
    CustomerFactory(mobile="13900139000")

    with pytest.raises(DuplicateCustomer):
        customer_update(customer=customer, actor=owner, mobile="13900139000", notes="不应保存")
    with pytest.raises(CustomerError) as bad_id:
        customer_update(customer=customer, actor=owner, id_number="110105194912310021")

    assert bad_id.value.field == "id_number"
    customer.refresh_from_db()
    assert customer.notes == "" and not KeyFieldChange.objects.exists()


def test_one_change_waits_at_a_time(team):
    _supervisor, owner = team
    customer = vip(owner)
    customer_update(customer=customer, actor=owner, full_name="张卫")

    with pytest.raises(CustomerError) as exc:
        customer_update(customer=customer, actor=owner, full_name="张维", notes="不应保存")

    assert exc.value.code == "review_pending" and exc.value.field == "full_name"
    customer.refresh_from_db()
    assert customer.notes == "" and KeyFieldChange.objects.count() == 1


def test_a_new_id_number_waits_encrypted_and_is_dropped_from_the_request_once_decided(team):
    supervisor, owner = team
    customer = vip(owner)
    customer_update(customer=customer, actor=owner, id_number=ID_NUMBER)

    change = KeyFieldChange.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_encrypted, id_number_masked, changes FROM customers_keyfieldchange")
        encrypted, masked, changes = cursor.fetchone()
    assert ID_NUMBER not in f"{encrypted}{masked}{changes}"
    assert crypto.decrypt(encrypted) == ID_NUMBER and masked == "**************002X"
    customer.refresh_from_db()
    assert customer.id_number_masked == ""

    key_change_decide(change=change, actor=supervisor, approve=True)

    customer.refresh_from_db()
    change.refresh_from_db()
    assert crypto.decrypt(customer.id_number_encrypted) == ID_NUMBER
    assert change.id_number_encrypted == "" and change.id_number_masked == "**************002X"


# --- deciding -----------------------------------------------------------------------------------
def test_approval_applies_the_change_and_keeps_who_asked_and_who_approved(team):
    supervisor, owner = team
    customer = vip(owner, birthday=dt.date(1990, 3, 7))
    customer_update(customer=customer, actor=owner, full_name="张卫", birthday=dt.date(1990, 3, 8), reason="证件更正")
    change = KeyFieldChange.objects.get()

    key_change_decide(change=change, actor=supervisor, approve=True, note="已核实")

    customer.refresh_from_db()
    change.refresh_from_db()
    assert (customer.full_name, customer.birthday) == ("张卫", dt.date(1990, 3, 8))
    assert change.status == KeyFieldChange.Status.APPROVED and change.decided_by == supervisor
    latest = customer.history.first()
    assert latest.history_user == supervisor
    assert "证件更正" in latest.history_change_reason and str(owner) in latest.history_change_reason  # 姓名
    with pytest.raises(CustomerError):
        key_change_decide(change=change, actor=supervisor, approve=True)  # decided once


def test_sent_back_with_a_note_nothing_changes_and_the_agent_submits_again(team):
    supervisor, owner = team
    customer = vip(owner)
    customer_update(customer=customer, actor=owner, full_name="张卫")
    change = KeyFieldChange.objects.get()

    with pytest.raises(CustomerError) as exc:
        key_change_decide(change=change, actor=supervisor, approve=False, note="  ")
    assert exc.value.field == "note"
    key_change_decide(change=change, actor=supervisor, approve=False, note="请附身份证照片")

    customer.refresh_from_db()
    change.refresh_from_db()
    assert customer.full_name == "张伟"
    assert (change.status, change.decision_note) == (KeyFieldChange.Status.SENT_BACK, "请附身份证照片")
    customer_update(customer=customer, actor=owner, full_name="张卫", reason="已补身份证照片")
    assert KeyFieldChange.objects.filter(status=KeyFieldChange.Status.PENDING).count() == 1


def test_only_a_reviewer_other_than_the_requester_decides(team):
    supervisor, owner = team
    customer = vip(owner)
    customer_update(customer=customer, actor=owner, full_name="张卫")
    change = KeyFieldChange.objects.get()
    for outsider in (owner, StaffFactory(role=Role.CS_AGENT), StaffFactory(role=Role.DATA_ANALYST)):
        with pytest.raises(NotAllowed):
            key_change_decide(change=change, actor=outsider, approve=True)
    with pytest.raises(NotAllowed):
        key_change_withdraw(change=change, actor=StaffFactory(role=Role.CS_AGENT))

    key_change_withdraw(change=change, actor=owner, note="客户说不用改了")

    change.refresh_from_db()
    customer.refresh_from_db()
    assert change.status == KeyFieldChange.Status.WITHDRAWN and customer.full_name == "张伟"
    assert change.decision_note == "客户说不用改了"


def test_an_approval_that_no_longer_passes_the_entry_rules_leaves_the_request_waiting(team):
    supervisor, owner = team
    customer = vip(owner)
    customer_update(customer=customer, actor=owner, mobile="13900139000")
    change = KeyFieldChange.objects.get()
    CustomerFactory(mobile="13900139000")  # meanwhile another customer has that mobile

    with pytest.raises(DuplicateCustomer):
        key_change_decide(change=change, actor=supervisor, approve=True)

    change.refresh_from_db()
    customer.refresh_from_db()
    assert change.status == KeyFieldChange.Status.PENDING and customer.mobile == "13800138000"


# --- the customer's other events ----------------------------------------------------------------
def test_anonymising_scrubs_the_requested_values(team):
    supervisor, owner = team
    customer = vip(owner)
    customer_update(customer=customer, actor=owner, full_name="张卫", id_number=ID_NUMBER, reason="客户来电")

    customer_anonymise(customer=customer, actor=supervisor, reason="客户要求删除")

    change = KeyFieldChange.objects.get()
    assert change.status == KeyFieldChange.Status.WITHDRAWN
    assert (change.changes, change.previous, change.id_number_encrypted, change.id_number_masked, change.reason) \
        == ({}, {}, "", "", "")


def test_a_merge_withdraws_the_duplicates_waiting_change_and_keeps_the_record(team):
    supervisor, owner = team
    kept = CustomerFactory()
    duplicate = vip(owner)
    customer_update(customer=duplicate, actor=owner, full_name="张卫")

    customer_merge(kept=kept, duplicate=duplicate, actor=supervisor)

    change = KeyFieldChange.objects.get()
    assert change.customer_id == kept.pk and change.status == KeyFieldChange.Status.WITHDRAWN


def test_key_rotation_re_encrypts_a_waiting_id_number(team, settings):
    _supervisor, owner = team
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    customer = vip(owner)
    customer_update(customer=customer, actor=owner, id_number=ID_NUMBER)
    new_key = Fernet.generate_key().decode()

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    encryption_keys_rotate()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]

    assert crypto.decrypt(KeyFieldChange.objects.get().id_number_encrypted) == ID_NUMBER


# --- the admin ----------------------------------------------------------------------------------
def _form(customer, **overrides):
    data = {
        "full_name": customer.full_name, "mobile": customer.mobile, "gender": customer.gender, "birthday": "",
        "email": "", "customer_type": customer.customer_type, "company_name": "", "source": customer.source,
        "notes": "", "id_number": "", "change_reason": "",
        "places-TOTAL_FORMS": "0", "places-INITIAL_FORMS": "0", "places-MIN_NUM_FORMS": "0",
        "places-MAX_NUM_FORMS": "1000",
        "anniversaries-TOTAL_FORMS": "0", "anniversaries-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_in_the_admin_the_agent_submits_the_supervisor_approves_and_both_see_where_it_stands(client, team):
    supervisor, owner = team
    customer = vip(owner)
    page = reverse("admin:customers_customer_change", args=[customer.pk])

    client.force_login(owner)
    response = client.post(page, _form(customer, full_name="张卫", notes="常去浦东机场"), follow=True)
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.full_name, customer.notes) == ("张伟", "常去浦东机场")
    change = KeyFieldChange.objects.get()
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert reverse("admin:customers_keyfieldchange_change", args=[change.pk]) in warnings[0]
    assert 'id="key-change-notice"' in client.get(page).content.decode()

    client.force_login(supervisor)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:customers_keyfieldchange_changelist") + "?status__exact=pending" in index
    review = client.get(reverse("admin:customers_keyfieldchange_change", args=[change.pk])).content.decode()
    assert "张伟" in review and "张卫" in review
    decide = reverse("admin:customers_keyfieldchange_decide", args=[change.pk, "approve"])
    assert decide in review
    client.post(decide, {"note": "已核实"})

    customer.refresh_from_db()
    assert customer.full_name == "张卫"
    assert 'id="key-change-notice"' not in client.get(page).content.decode()


def test_in_the_admin_a_sent_back_change_shows_its_note_to_the_agent(client, team):
    supervisor, owner = team
    customer = vip(owner)
    customer_update(customer=customer, actor=owner, full_name="张卫")
    change = KeyFieldChange.objects.get()
    client.force_login(supervisor)
    client.post(reverse("admin:customers_keyfieldchange_decide", args=[change.pk, "send_back"]),
                {"note": "请附身份证照片"})

    client.force_login(owner)
    page = client.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    own_list = client.get(reverse("admin:customers_keyfieldchange_changelist"))

    assert "请附身份证照片" in page
    assert "?status__exact=sent_back" in index
    assert list(own_list.context["cl"].result_list) == [change]
    other_agent = StaffFactory(role=Role.CS_AGENT, team=supervisor.staff_profile.team)  # a colleague of the team
    client.force_login(other_agent)
    assert list(client.get(reverse("admin:customers_keyfieldchange_changelist")).context["cl"].result_list) == []
    # The customer page tells a colleague too, without a link to a request page they cannot open.
    seen = client.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    assert "请附身份证照片" in seen
    assert reverse("admin:customers_keyfieldchange_change", args=[change.pk]) not in seen
    # A month later the note is no longer shown.
    KeyFieldChange.objects.filter(pk=change.pk).update(decided_at=timezone.now() - dt.timedelta(days=31))
    later = client.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    assert "请附身份证照片" not in later


def test_the_review_page_masks_the_mobile_for_a_reviewer_who_sees_mobiles_masked(client, team):
    supervisor, owner = team
    customer = vip(owner)
    customer_update(customer=customer, actor=owner, mobile="13900139000")
    change = KeyFieldChange.objects.get()
    client.force_login(supervisor)
    full = client.get(reverse("admin:customers_keyfieldchange_change", args=[change.pk])).content.decode()
    assert "13900139000" in full and "13800138000" in full

    reviewer = UserFactory()  # may list and review the requests, not see full mobiles
    reviewer.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="customers", codename__in=["view_keyfieldchange", "approve_customer_change"]))
    client.force_login(reviewer)
    masked = client.get(reverse("admin:customers_keyfieldchange_change", args=[change.pk])).content.decode()
    assert "13900139000" not in masked and "139****9000" in masked and "138****8000" in masked
