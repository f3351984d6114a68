import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import Group

from core.roles import ROLE_PERMISSIONS, Role, sync_roles, unknown_permissions

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_database_and_broker_without_login(client, db):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert response.status_code == 200


def test_healthz_is_503_when_the_broker_is_unreachable(client, db):
    from config.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["database"] == "ok"


@pytest.mark.django_db  # the login page wears the theme, a database row (cached)
def test_admin_requires_login_and_is_titled_in_chinese(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    login = client.get("/admin/login/")
    text = login.content.decode()
    assert "客户管理" in text
    assert 'lang="zh-hans"' in text


@pytest.mark.django_db
def test_english_is_available(client):
    login = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Customer management" in login.content.decode()


def test_any_other_page_needs_a_login(client):
    for path in ("/", "/admin/core/jobrun/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_roles_are_created_idempotently_with_their_permissions(db):
    sync_roles()
    sync_roles()
    names = set(Group.objects.values_list("name", flat=True))
    assert set(ROLE_PERMISSIONS) <= names
    assert Group.objects.filter(name=Role.CS_AGENT).count() == 1
    gm = Group.objects.get(name=Role.GENERAL_MANAGER)
    analyst = Group.objects.get(name=Role.DATA_ANALYST)
    assert gm.permissions.count() > analyst.permissions.count()
    assert gm.permissions.filter(codename="view_jobrun").exists()


def test_every_exactly_named_role_permission_exists(db):
    assert unknown_permissions() == []


def test_compose_file_has_the_five_services_sharing_one_environment():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"] and "DatabaseScheduler" in " ".join(services["beat"]["command"])
    envs = [services[name]["environment"] for name in ("web", "worker", "beat")]
    assert envs[0] == envs[1] == envs[2]
    assert envs[0]["DATABASE_URL"].startswith("postgres://") and "@db:" in envs[0]["DATABASE_URL"]
    assert envs[0]["REDIS_URL"].startswith("redis://redis:")
    for name in ("db", "redis", "web"):
        assert "healthcheck" in services[name]
    assert "pgdata" in compose["volumes"]
    assert any(v.startswith("pgdata:") for v in services["db"]["volumes"])
    # Uploaded files survive a container's replacement and are the same for web and worker; the
    # nightly backups go to a volume of their own.
    for name in ("web", "worker"):
        assert "appdata:/app/var" in services[name]["volumes"] and "backups:/backups" in services[name]["volumes"]
    assert envs[0]["BACKUP_DIR"] == "/backups"


def _manage(*args, env_extra=None, check=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST"))}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=check
    )


@pytest.mark.slow
def test_deploy_check_with_production_settings_is_clean():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DEBUG": "0",
            "SECRET_KEY": "x" * 20 + "production-grade-secret-key-with-enough-entropy-1234567890",
            "SECURE_SSL_REDIRECT": "1",
            "ALLOWED_HOSTS": "crm.example.com",
            "STATICFILES_BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        },
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env_extra={"DEBUG": "0", "SECRET_KEY": ""}, check=False)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_timezone_and_language_defaults(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert json.loads(json.dumps(settings.CELERY_ACCEPT_CONTENT)) == ["json"]


@pytest.mark.django_db
def test_prepare_run_migrates_creates_the_roles_and_an_administrator_shown_once():
    import re
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from core.roles import Role

    first, second = StringIO(), StringIO()
    call_command("prepare_run", stdout=first)
    call_command("prepare_run", stdout=second)
    roles = {Role.CS_AGENT, Role.AFTER_SALES, Role.CS_SUPERVISOR, Role.OPERATIONS_MANAGER, Role.DATA_ANALYST,
             Role.GENERAL_MANAGER}
    assert roles <= set(Group.objects.values_list("name", flat=True))
    match = re.search(r"username=(\S+) password=(\S+)", first.getvalue())
    assert match and get_user_model().objects.get(username=match[1]).check_password(match[2])
    assert "password=" not in second.getvalue()
