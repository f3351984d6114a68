"""The read-replica router (core.db_routing): which reads go to the replica, and proof on PostgreSQL that
the dashboard, the KPI API and the exports read through a second alias while every write stays on the
primary. On PostgreSQL the suite's settings add the alias "replica": the same test database through a
connection of its own (TEST MIRROR); a test switches routing on with READ_REPLICA_ALIAS."""

import itertools

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from core.db_routing import PRIMARY, ReplicaRouter, choose_read_alias, read_alias, replica_reads
from core.models import ExportRecord
from core.roles import Role
from kpis.models import MonthlySnapshot


@pytest.mark.parametrize(("in_scope", "replica", "wrote", "in_transaction"),
                         list(itertools.product([True, False], ["replica", ""], [True, False], [True, False])))
def test_a_read_goes_to_the_replica_only_in_a_scope_that_wrote_nothing_outside_a_transaction(
        in_scope, replica, wrote, in_transaction):
    chosen = choose_read_alias(in_scope=in_scope, replica=replica, wrote=wrote, primary_in_transaction=in_transaction)
    expected = "replica" if (in_scope and replica and not wrote and not in_transaction) else "default"
    assert chosen == expected


def test_writes_always_go_to_the_primary_and_pin_the_scope_to_it(settings):
    settings.READ_REPLICA_ALIAS = ""
    router = ReplicaRouter()
    assert router.db_for_write(MonthlySnapshot) == PRIMARY
    with replica_reads():
        assert router.db_for_write(ExportRecord) == PRIMARY
        assert read_alias() == PRIMARY


def test_without_a_replica_configured_every_read_uses_default(settings):
    settings.READ_REPLICA_ALIAS = ""
    router = ReplicaRouter()
    assert router.db_for_read(MonthlySnapshot) == PRIMARY
    with replica_reads():
        assert router.db_for_read(MonthlySnapshot) == PRIMARY


def test_an_alias_named_but_not_configured_is_ignored(settings):
    settings.READ_REPLICA_ALIAS = "no-such-alias"
    with replica_reads():
        assert read_alias() == PRIMARY


def test_only_the_primary_is_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "kpis") is True
    assert router.allow_migrate("replica", "kpis") is False


# --- On PostgreSQL: a second alias on the same database proves where each query went ------------------

def _tables(ctx) -> str:
    return " ".join(q["sql"] for q in ctx.captured_queries)


@pytest.fixture
def replica_on(settings):
    settings.READ_REPLICA_ALIAS = "replica"
    return settings


@pytest.fixture
def gm_client(client):
    from tests.kpis import builders as b

    client.force_login(b.staff("gm_replica", role=Role.GENERAL_MANAGER))
    return client


@pytest.fixture
def october():
    import datetime as dt

    from kpis.services import snapshot_compute_month
    from tests.kpis import builders as b

    c = b.customer()
    b.review(b.order(c, finished=b.at(2026, 10, 5), fee="80.00"), 5, 10)
    snapshot_compute_month(month=dt.date(2026, 10, 1), as_of=b.at(2026, 11, 2))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_dashboard_reads_its_snapshots_through_the_replica_alias(replica_on, gm_client, october):
    with CaptureQueriesContext(connections["replica"]) as replica, \
            CaptureQueriesContext(connections["default"]) as primary:
        response = gm_client.get("/dashboard/?month=2026-10")
    assert response.status_code == 200
    assert "2026-10" in response.content.decode()
    assert "kpis_monthlysnapshot" in _tables(replica)
    assert "kpis_monthlysnapshot" not in _tables(primary)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_an_export_reads_the_replica_and_writes_its_record_on_the_primary(replica_on, gm_client, october):
    with CaptureQueriesContext(connections["replica"]) as replica, \
            CaptureQueriesContext(connections["default"]) as primary:
        response = gm_client.get("/dashboard/export.csv?month=2026-10")
    assert response.status_code == 200
    assert "kpis_monthlysnapshot" in _tables(replica)
    assert "INSERT" in _tables(primary) and "core_exportrecord" in _tables(primary)
    assert "INSERT" not in _tables(replica)
    assert ExportRecord.objects.filter(kind=ExportRecord.Kind.KPIS).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_scope_that_wrote_reads_the_primary_afterwards(replica_on, october):
    from tests.kpis import builders as b

    user = b.staff("writer")
    with replica_reads():
        assert read_alias() == "replica"
        ExportRecord.objects.create(user=user, kind=ExportRecord.Kind.KPIS, format="csv", row_count=0)
        with CaptureQueriesContext(connections["replica"]) as replica:
            assert MonthlySnapshot.objects.filter(scope_key="company").count() == 1
    assert replica.captured_queries == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_outside_a_scope_and_in_the_api_reads_follow_the_rule(replica_on, gm_client, october):
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert MonthlySnapshot.objects.count() > 0  # no scope: the primary
    assert replica.captured_queries == []
    with CaptureQueriesContext(connections["replica"]) as replica:
        response = gm_client.get("/api/v1/kpis/monthly/2026-10/")
    assert response.status_code == 200, response.content
    assert "kpis_monthlysnapshot" in _tables(replica)


def _settings_in_a_fresh_process(env: dict) -> dict:
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps({a: {'cursors': d.get('DISABLE_SERVER_SIDE_CURSORS', False), 'name': d['NAME']} "
            "for a, d in s.DATABASES.items()} | {'_replica': s.READ_REPLICA_ALIAS}))")
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env}
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], env=full,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_replica_url_adds_the_alias_and_pgbouncer_mode_disables_server_side_cursors():
    plain = _settings_in_a_fresh_process({"DATABASE_URL": "postgres://u@db:5432/crm", "DATABASE_REPLICA_URL": "",
                                          "DATABASE_POOLER": ""})
    assert set(plain) == {"default", "_replica"} and plain["_replica"] == ""
    assert plain["default"]["cursors"] is False
    scaled = _settings_in_a_fresh_process({"DATABASE_URL": "postgres://u@pgbouncer:6432/crm",
                                           "DATABASE_REPLICA_URL": "postgres://u@replica:5432/crm",
                                           "DATABASE_POOLER": "pgbouncer"})
    assert scaled["_replica"] == "replica" and scaled["replica"]["name"] == "crm"
    assert scaled["default"]["cursors"] is True and scaled["replica"]["cursors"] is True
