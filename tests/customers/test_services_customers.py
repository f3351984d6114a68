"""customer_create / update / merge / anonymise, sensitive data and key rotation."""

import datetime as dt
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core import crypto
from core.roles import Role
from customers import hooks
from customers.errors import CustomerError, DuplicateCustomer, NotAllowed
from customers.models import (
    ContactLog,
    Customer,
    CustomerMerge,
    DeletionRequest,
    Order,
    Place,
    PlatformAccount,
    Review,
    SensitiveAccess,
)
from customers.services import (
    callback_schedule,
    customer_anonymise,
    customer_create,
    customer_merge,
    customer_refresh_order_dates,
    customer_reveal_sensitive,
    customer_update,
    deletion_request_create,
    deletion_request_decide,
    encryption_keys_rotate,
    handover_request,
)
from customers.services.deletion import ANONYMISED_NAME
from tests.factories import (
    ContactLogFactory,
    CustomerFactory,
    OrderFactory,
    PlaceFactory,
    PlatformFactory,
    ReviewFactory,
    StaffFactory,
    SupervisorFactory,
)

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
OTHER_ID_NUMBER = "310104198807151230"


def raw_customer_row(pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Customer._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


# --- create ----------------------------------------------------------------------------------
def test_create_stores_the_mobile_normalised_whatever_the_typing():
    customer = customer_create(full_name="王伟", mobile="+86 138-0013-8000")
    assert customer.mobile == "13800138000"
    assert customer.history.count() == 1


def test_a_second_customer_with_the_same_mobile_is_a_duplicate_offering_the_existing_one():
    existing = customer_create(full_name="王伟", mobile="13800138000")
    with pytest.raises(DuplicateCustomer) as info:
        customer_create(full_name="王伟", mobile="138 0013 8000")
    assert info.value.existing == existing
    assert info.value.field == "mobile"
    assert Customer.objects.count() == 1


def test_a_second_customer_with_the_same_id_number_is_a_duplicate():
    existing = customer_create(full_name="王伟", mobile="13800138000", id_number=ID_NUMBER)
    with pytest.raises(DuplicateCustomer) as info:
        customer_create(full_name="王伟", mobile="13900139000", id_number=ID_NUMBER.lower())
    assert info.value.existing == existing
    assert info.value.field == "id_number"


def test_a_placeholder_name_is_refused_with_a_field_error_and_nothing_is_written():
    with pytest.raises(CustomerError) as info:
        customer_create(full_name="王先生", mobile="13800138000")
    assert info.value.field == "full_name"
    assert not Customer.objects.exists()


def test_a_vague_place_rolls_back_the_whole_customer():
    with pytest.raises(CustomerError) as info:
        customer_create(full_name="王伟", mobile="13800138000",
                        places=[{"kind": Place.Kind.PICKUP, "label": Place.Label.HOME, "address": "上海市浦东新区"}])
    assert info.value.field == "address"
    assert not Customer.objects.exists()
    assert not Place.objects.exists()


def test_a_landline_in_the_mobile_field_is_refused_on_the_mobile_field():
    with pytest.raises(CustomerError) as info:
        customer_create(full_name="王伟", mobile="021-62345678")
    assert info.value.field == "mobile" and info.value.code == "landline"


# --- sensitive data --------------------------------------------------------------------------
def test_the_id_number_is_encrypted_at_rest_and_only_shown_masked():
    customer = customer_create(full_name="王伟", mobile="13800138000", id_number=ID_NUMBER)
    row = raw_customer_row(customer.pk)
    assert not any(ID_NUMBER in str(value) for value in row)
    assert not any(ID_NUMBER.lower() in str(value).lower() for value in row)
    customer.refresh_from_db()
    assert customer.id_number_masked == "**************002X"
    assert crypto.decrypt(customer.id_number_encrypted) == ID_NUMBER


def test_the_history_never_holds_the_plain_id_number():
    customer = customer_create(full_name="王伟", mobile="13800138000", id_number=ID_NUMBER)
    customer_update(customer=customer, id_number=OTHER_ID_NUMBER)
    table = customer.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    assert len(rows) == 2
    assert not any(number in str(value) for row in rows for value in row for number in (ID_NUMBER, OTHER_ID_NUMBER))


def test_a_supervisor_reveals_the_id_number_and_the_access_is_recorded():
    supervisor = SupervisorFactory()
    customer = customer_create(full_name="王伟", mobile="13800138000", id_number=ID_NUMBER)
    value = customer_reveal_sensitive(customer=customer, user=supervisor, field=SensitiveAccess.Field.ID_NUMBER,
                                      reason="核对身份办理投诉")
    assert value == ID_NUMBER
    access = SensitiveAccess.objects.get()
    assert (access.customer, access.user, access.field, access.reason) == (
        customer, supervisor, SensitiveAccess.Field.ID_NUMBER, "核对身份办理投诉")
    assert access.accessed_at is not None


def test_the_data_analyst_may_not_reveal_anything_and_no_record_is_written():
    analyst = StaffFactory(role=Role.DATA_ANALYST)
    customer = customer_create(full_name="王伟", mobile="13800138000", id_number=ID_NUMBER)
    for field in (SensitiveAccess.Field.ID_NUMBER, SensitiveAccess.Field.MOBILE):
        with pytest.raises(NotAllowed):
            customer_reveal_sensitive(customer=customer, user=analyst, field=field, reason="看看")
    assert not analyst.has_perm("customers.view_sensitive")
    assert not analyst.has_perm("customers.view_full_mobile")
    assert not SensitiveAccess.objects.exists()


def test_a_reveal_needs_a_stated_reason():
    supervisor = SupervisorFactory()
    customer = customer_create(full_name="王伟", mobile="13800138000", id_number=ID_NUMBER)
    with pytest.raises(CustomerError) as info:
        customer_reveal_sensitive(customer=customer, user=supervisor, field=SensitiveAccess.Field.ID_NUMBER,
                                  reason="  ")
    assert info.value.field == "reason"
    assert not SensitiveAccess.objects.exists()


def test_rotation_re_encrypts_under_the_new_key_so_the_old_key_can_be_dropped(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    customer = customer_create(full_name="王伟", mobile="13800138000", id_number=ID_NUMBER)
    CustomerFactory()  # a customer without an ID number is left alone
    old_token = Customer.objects.get(pk=customer.pk).id_number_encrypted

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert encryption_keys_rotate() == 1
    new_token = Customer.objects.get(pk=customer.pk).id_number_encrypted
    assert new_token != old_token

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # old key removed
    assert crypto.decrypt(new_token) == ID_NUMBER
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(old_token)
    supervisor = SupervisorFactory()
    assert customer_reveal_sensitive(customer=Customer.objects.get(pk=customer.pk), user=supervisor,
                                     field=SensitiveAccess.Field.ID_NUMBER, reason="轮换后核对") == ID_NUMBER


def test_the_rotate_command_prints_how_many_numbers_it_re_encrypted(settings, capsys):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    customer_create(full_name="王伟", mobile="13800138000", id_number=ID_NUMBER)
    customer_create(full_name="李娜", mobile="13900139000", id_number=OTHER_ID_NUMBER)
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys")
    assert "2" in capsys.readouterr().out
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert sorted(crypto.decrypt(t) for t in Customer.objects.values_list("id_number_encrypted", flat=True)) == \
        sorted([ID_NUMBER, OTHER_ID_NUMBER])


# --- key fields of owned customers -----------------------------------------------------------
def test_only_the_owner_their_supervisor_or_a_manager_changes_key_fields():
    supervisor = SupervisorFactory()
    owner = StaffFactory(team=supervisor.staff_profile.team)
    other_agent = StaffFactory()
    customer = CustomerFactory(owner=owner)
    with pytest.raises(NotAllowed):
        customer_update(customer=customer, actor=other_agent, full_name="王建国")
    customer_update(customer=customer, actor=other_agent, notes="客户来电询问积分")  # not a key field
    customer_update(customer=customer, actor=supervisor, full_name="王建国")
    customer_update(customer=customer, actor=owner, mobile="139 0013 9000")
    customer.refresh_from_db()
    assert (customer.full_name, customer.mobile) == ("王建国", "13900139000")
    latest = customer.history.first()
    assert latest.history_user == owner and latest.mobile == "13900139000"


# --- merge -----------------------------------------------------------------------------------
def test_merge_moves_everything_to_the_kept_customer_and_leaves_an_audit_row():
    agent, leaver = StaffFactory(), StaffFactory()
    kept = CustomerFactory(email="")
    duplicate = CustomerFactory(email="wangwei@163.com", owner=leaver)
    old_order = OrderFactory(customer=duplicate, booked_at=timezone.now() - dt.timedelta(days=30))
    ReviewFactory(order=old_order)
    PlaceFactory(customer=kept, address="上海市徐汇区漕溪北路88号圣爱大厦", use_count=3)
    PlaceFactory(customer=duplicate, address="上海市徐汇区漕溪北路88号圣爱大厦", use_count=2)
    PlaceFactory(customer=duplicate, address="上海市黄浦区南京东路300号和平饭店", kind=Place.Kind.DROPOFF)
    ContactLogFactory(customer=duplicate, agent=agent)
    PlatformAccount.objects.create(platform=PlatformFactory(), external_user_id="u-1", customer=duplicate)
    referred = CustomerFactory(referred_by=duplicate)
    handover = handover_request(from_user=leaver, to_user=agent, actor=leaver)
    duplicate_public_id = duplicate.public_id

    merge = customer_merge(kept=kept, duplicate=duplicate, actor=agent, reason="同一客户两个号码")

    assert not Customer.objects.filter(pk=duplicate.pk).exists()
    assert Order.objects.get(pk=old_order.pk).customer == kept
    assert Review.objects.get(order=old_order).customer == kept
    assert ContactLog.objects.filter(customer=kept).count() == 1
    assert PlatformAccount.objects.get(external_user_id="u-1").customer == kept
    assert Customer.objects.get(pk=referred.pk).referred_by == kept
    assert list(handover.customers.all()) == [kept]
    places = {p.address: p.use_count for p in Place.objects.filter(customer=kept, kind=Place.Kind.PICKUP)}
    assert places == {"上海市徐汇区漕溪北路88号圣爱大厦": 5}
    assert Place.objects.filter(customer=kept, kind=Place.Kind.DROPOFF).count() == 1
    kept.refresh_from_db()
    assert kept.email == "wangwei@163.com"  # a gap filled from the duplicate
    assert kept.last_order_at == old_order.finished_at
    assert merge == CustomerMerge.objects.get()
    assert (merge.kept, merge.merged_public_id, merge.merged_by, merge.reason) == (
        kept, duplicate_public_id, agent, "同一客户两个号码")
    assert merge.moved["orders"] == 1 and merge.moved["places"] == 2 and merge.moved["contacts"] == 1
    assert "****" in merge.merged_snapshot["mobile"]  # the audit row keeps the mobile masked


def test_merge_runs_the_other_apps_merge_handlers_inside_the_transaction(monkeypatch):
    calls = []
    monkeypatch.setattr(hooks, "_merge_handlers", [])
    hooks.register_merge_handler(lambda *, kept, duplicate: calls.append((kept.pk, duplicate.pk)) or {"points": 4})
    kept, duplicate = CustomerFactory(), CustomerFactory()
    merge = customer_merge(kept=kept, duplicate=duplicate)
    assert calls == [(kept.pk, duplicate.pk)]
    assert merge.moved["points"] == 4


def test_a_customer_cannot_be_merged_into_itself():
    customer = CustomerFactory()
    with pytest.raises(CustomerError):
        customer_merge(kept=customer, duplicate=customer)


# --- deletion requests and anonymisation -----------------------------------------------------
def test_deletion_request_approved_by_a_supervisor_anonymises_but_keeps_orders():
    agent = StaffFactory()
    supervisor = SupervisorFactory()
    customer = customer_create(
        actor=agent, full_name="王伟", mobile="13800138000", id_number=ID_NUMBER, email="wangwei@163.com",
        birthday=dt.date(1949, 12, 31), owner=agent,
        places=[{"kind": Place.Kind.DROPOFF, "label": Place.Label.HOME, "address": "上海市徐汇区漕溪北路88号1201室"}],
    )
    customer_update(customer=customer, actor=agent, mobile="13900139000", notes="住在漕溪北路")
    order = OrderFactory(customer=customer, fee=Decimal("88.00"))
    ReviewFactory(order=order, rating=4)
    PlatformAccount.objects.create(platform=order.platform, external_user_id="u-9", customer=customer)
    ContactLogFactory(customer=customer, agent=agent, notes="客户说住在漕溪北路")

    request = deletion_request_create(customer=customer, actor=agent, reason="客户本人要求注销", by_customer=True)
    with pytest.raises(NotAllowed):
        deletion_request_decide(request=request, actor=agent, approve=True)
    deletion_request_decide(request=request, actor=supervisor, approve=True, note="已核实")

    customer.refresh_from_db()
    assert customer.status == Customer.Status.ANONYMISED
    assert customer.full_name == ANONYMISED_NAME
    assert customer.mobile is None and customer.email == "" and customer.birthday is None
    assert customer.id_number_encrypted == "" and customer.id_number_index is None
    assert customer.id_number_masked == "" and customer.notes == "" and customer.owner is None
    assert not customer.places.exists() and not customer.platform_accounts.exists()
    history = list(customer.history.values_list("full_name", "mobile", "email", "notes"))
    assert history and all(row == (ANONYMISED_NAME, None, "", "") for row in history)
    order.refresh_from_db()
    assert order.customer == customer and order.fee == Decimal("88.00") and order.pickup_address == ""
    assert Review.objects.get(order=order).rating == 4
    assert ContactLog.objects.get(customer=customer).notes == ""
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (DeletionRequest.Status.APPROVED, supervisor)


def test_a_supervisor_cannot_approve_their_own_deletion_request():
    supervisor = SupervisorFactory()
    customer = CustomerFactory()
    request = deletion_request_create(customer=customer, actor=supervisor, reason="重复录入")
    with pytest.raises(NotAllowed):
        deletion_request_decide(request=request, actor=supervisor, approve=True)
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ACTIVE


def test_a_rejected_deletion_request_leaves_the_customer_untouched():
    agent, supervisor = StaffFactory(), SupervisorFactory()
    customer = CustomerFactory(full_name="李娜")
    request = deletion_request_create(customer=customer, actor=agent, reason="重复录入")
    deletion_request_decide(request=request, actor=supervisor, approve=False, note="不是重复")
    customer.refresh_from_db()
    assert customer.full_name == "李娜" and customer.status == Customer.Status.ACTIVE


def test_a_deletion_request_needs_a_reason_and_only_one_can_wait():
    agent = StaffFactory()
    customer = CustomerFactory()
    with pytest.raises(CustomerError):
        deletion_request_create(customer=customer, actor=agent, reason=" ")
    deletion_request_create(customer=customer, actor=agent, reason="客户要求")
    with pytest.raises(CustomerError):
        deletion_request_create(customer=customer, actor=agent, reason="客户再次要求")


def test_an_anonymised_customer_cannot_be_changed():
    customer = CustomerFactory()
    customer_anonymise(customer=customer, reason="客户要求")
    with pytest.raises(NotAllowed):
        customer_update(customer=customer, notes="x")


# --- order dates -----------------------------------------------------------------------------
def test_refresh_order_dates_counts_only_completed_orders():
    customer = CustomerFactory()
    now = timezone.now()
    first = OrderFactory(customer=customer, booked_at=now - dt.timedelta(days=20))
    last = OrderFactory(customer=customer, booked_at=now - dt.timedelta(days=5))
    OrderFactory(customer=customer, booked_at=now - dt.timedelta(days=1), status=Order.Status.CANCELLED)
    assert customer_refresh_order_dates(customer_ids=[customer.pk]) == 1
    customer.refresh_from_db()
    assert (customer.first_order_at, customer.last_order_at) == (first.finished_at, last.finished_at)


def test_a_customer_who_absorbed_a_duplicate_can_itself_be_merged_later():
    first, second, final = CustomerFactory(), CustomerFactory(), CustomerFactory()
    customer_merge(kept=second, duplicate=first)
    customer_merge(kept=final, duplicate=second)
    assert not Customer.objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert set(CustomerMerge.objects.values_list("merged_public_id", flat=True)) == {first.public_id, second.public_id}
    assert CustomerMerge.objects.filter(kept=final).count() == 2


def test_two_records_with_the_same_periodic_callback_merge_into_one_call():
    # Both records of one gold customer got this month's callback: the merge keeps one on the list.
    agent = StaffFactory()
    kept, duplicate = CustomerFactory(), CustomerFactory()
    today = timezone.localdate()
    ours = callback_schedule(customer=kept, agent=agent, due_on=today, reason_key="tier:gold:2026-11")
    theirs = callback_schedule(customer=duplicate, agent=agent, due_on=today, reason_key="tier:gold:2026-11")

    merge = customer_merge(kept=kept, duplicate=duplicate)

    theirs.refresh_from_db()
    assert ContactLog.objects.get(customer=kept, reason_key="tier:gold:2026-11") == ours
    assert (theirs.customer, theirs.status, theirs.reason_key) == (kept, "cancelled", f"merged:{theirs.pk}")
    assert merge.moved["contacts_detached"] == 1
