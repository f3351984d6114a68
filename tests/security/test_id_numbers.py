"""Attack tests: the ID number cannot be reconstructed without ``customers.view_sensitive``. The mask
keeps the last 4 characters only; the birth date (the ID number's characters 7–14) shows as month-day;
filtering by either is refused; a duplicate-ID check tells an unprivileged user only that a customer
has the number, and a privileged user's check is recorded as an access."""

import datetime as dt
import importlib
import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer, SensitiveAccess
from customers.resources import CustomerExportResource
from customers.services import customer_update
from tests.customers.test_admin_customer_page import form_data

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
HIDDEN_PARTS = ["110105", "19491231", "1101051949"]


def page(client, customer, **headers):
    return client.get(reverse("admin:customers_customer_change", args=[customer.pk]), **headers)


@pytest.mark.parametrize("who", ["analyst_client", "agent_client", "supervisor_client"])
def test_the_id_number_shows_only_its_last_four_characters(request, victim, who):
    client = request.getfixturevalue(who)

    body = page(client, victim).content.decode()

    assert "**************002X" in body
    for part in HIDDEN_PARTS:
        assert part not in body


def test_old_masks_are_cut_to_the_last_four_by_the_migration(victim):
    Customer.objects.filter(pk=victim.pk).update(id_number_masked="1101**********002X")
    victim.history.update(id_number_masked="1101**********002X")
    migration = importlib.import_module("customers.migrations.0006_id_number_mask_last_four")

    migration.remask(apps, None)

    victim.refresh_from_db()
    assert victim.id_number_masked == "**************002X"
    assert set(victim.history.values_list("id_number_masked", flat=True)) == {"**************002X"}


@pytest.mark.parametrize("who", ["analyst_client", "agent_client"])
def test_the_birth_year_is_hidden_without_view_sensitive(request, victim, who):
    client = request.getfixturevalue(who)

    body = page(client, victim).content.decode()

    assert "03-07" in body
    assert "1990" not in body


def test_a_supervisor_sees_the_whole_birth_date(supervisor_client, victim):
    assert "1990/03/07" in page(supervisor_client, victim).content.decode()  # the date input (zh-hans)


@pytest.mark.parametrize("who", ["analyst_client", "agent_client"])
@pytest.mark.parametrize("lookup", [{"birthday__year": "1990"}, {"birthday__gte": "1990-01-01"},
                                    {"id_number_masked__startswith": "1101"}])
def test_filtering_by_the_birth_date_or_the_id_number_is_refused(request, victim, who, lookup):
    client = request.getfixturevalue(who)

    assert client.get(reverse("admin:customers_customer_changelist"), lookup).status_code == 400


def test_a_supervisor_may_filter_by_birth_year(supervisor_client, victim):
    response = supervisor_client.get(reverse("admin:customers_customer_changelist"), {"birthday__year": "1990"})

    assert response.status_code == 200


def test_an_agent_replaces_a_birthday_without_reading_it(agent_client, victim):
    response = agent_client.post(
        reverse("admin:customers_customer_change", args=[victim.pk]),
        form_data(full_name=victim.full_name, mobile=victim.mobile, birthday="", new_birthday="1991-04-08"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    victim.refresh_from_db()
    assert victim.birthday == dt.date(1991, 4, 8)
    body = page(agent_client, victim).content.decode()
    assert "04-08" in body and "1991" not in body


def test_the_history_shows_birthdays_as_month_day_to_an_agent(agent_client, victim):
    customer_update(customer=victim, actor=None, birthday=dt.date(1991, 4, 8), reason="客户更正")

    response = agent_client.get(reverse("admin:customers_customer_history", args=[victim.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "03-07" in body and "04-08" in body
    assert "1990" not in body and "1991" not in body
    old_version = victim.history.last()
    version = agent_client.get(reverse("admin:customers_customer_simple_history",
                                       args=[victim.pk, old_version.pk])).content.decode()
    assert "03-07" in version and "1990" not in version


def test_a_key_field_change_request_shows_birthdays_as_month_day_to_its_agent(agent_client, victim):
    from customers.models import KeyFieldChange

    change = KeyFieldChange.objects.create(customer=victim, requested_by=agent_client.user,
                                           changes={"birthday": "1991-04-08"}, previous={"birthday": "1990-03-07"})

    response = agent_client.get(reverse("admin:customers_keyfieldchange_change", args=[change.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "03-07" in body and "04-08" in body
    assert "1990" not in body and "1991" not in body


def test_an_export_without_view_sensitive_has_month_day_and_the_last_four(analyst_client, victim):
    csv = CustomerExportResource(user=analyst_client.user).export(queryset=Customer.objects.all()).csv

    assert "03-07" in csv and "**************002X" in csv
    assert "1990" not in csv
    for part in HIDDEN_PARTS:
        assert part not in csv


# --- duplicate-ID checks ------------------------------------------------------------------------
def test_a_duplicate_id_tells_an_agent_only_that_a_customer_has_it(agent_client, victim):
    response = agent_client.post(reverse("admin:customers_customer_add"),
                                 form_data(mobile="13600001111", id_number=ID_NUMBER), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    error = str(response.context["adminform"].form.errors["id_number"])
    assert "An existing customer has this ID number." in error
    assert victim.full_name not in error
    assert reverse("admin:customers_customer_change", args=[victim.pk]) not in response.content.decode()
    assert not SensitiveAccess.objects.exists()


def test_a_duplicate_id_names_the_customer_to_a_supervisor_and_is_recorded(supervisor_client, victim):
    response = supervisor_client.post(reverse("admin:customers_customer_add"),
                                      form_data(mobile="13600001111", id_number=ID_NUMBER))

    error = str(response.context["adminform"].form.errors["id_number"])
    assert reverse("admin:customers_customer_change", args=[victim.pk]) in error
    access = SensitiveAccess.objects.get()
    assert (access.customer, access.user, access.field) == (victim, supervisor_client.user, "id_number")


def _import(client, rows):
    content = "\n".join(["full_name,mobile,id_number", *rows]).encode("utf-8")
    return client.post(reverse("admin:customers_customer_import"),
                       {"format": "0", "import_file": SimpleUploadedFile("c.csv", io.BytesIO(content).read())},
                       HTTP_ACCEPT_LANGUAGE="en")


def test_an_import_dry_run_does_not_name_the_owner_of_a_duplicate_id(agent_client, victim):
    response = _import(agent_client, [f"李娜,13600001111,{ID_NUMBER}"])

    body = response.content.decode()
    assert "An existing customer has this ID number." in body
    assert victim.full_name not in body
    assert not SensitiveAccess.objects.exists()


def test_an_import_dry_run_by_a_supervisor_names_it_and_the_record_outlives_the_dry_run(supervisor_client,
                                                                                          victim):
    response = _import(supervisor_client, [f"李娜,13600001111,{ID_NUMBER}"])

    assert victim.full_name in response.content.decode()
    assert SensitiveAccess.objects.filter(customer=victim, user=supervisor_client.user, field="id_number").exists()
    assert Customer.objects.count() == 1
