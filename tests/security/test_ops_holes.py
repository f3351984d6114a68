"""Operations and data handling (issue 13, item 10): backups, secrets, import files, anonymisation
of merged duplicates, the SMS backend and logs, and another agent's customer.

Attackers: someone who obtains a backup, the .env file, a temporary file or a log; an agent who edits
a colleague's customer."""

import datetime as dt
import io
import logging
import os
import secrets
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from care.channels.sms import LoggingSmsBackend
from care.models import Message
from care.services import message_deliver
from core import backup
from core.log_redaction import RedactPersonalData
from core.roles import Role
from customers.errors import NotAllowed
from customers.models import Customer, CustomerMerge
from customers.services import customer_anonymise, customer_merge, customer_update
from tests.factories import CustomerFactory, StaffFactory

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "11010519491231002X"
KEY = "7W4OQn1pJ3dQ0yq5b3xGmV0y9cI3bK2nT9rWcVx1QzE="


def _manage(*args, **env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST"))}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)


# --- backups -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_plain_backup_is_refused_in_production(tmp_path, settings):
    settings.DEBUG, settings.BACKUP_ALLOW_UNENCRYPTED, settings.BACKUP_ENCRYPTION_KEYS = False, False, []
    settings.BACKUP_DIR = tmp_path

    with pytest.raises(backup.BackupError, match="BACKUP_ENCRYPTION_KEYS"):
        backup.database_backup(directory=tmp_path, keep=3)
    with pytest.raises(CommandError, match="unencrypted"):
        call_command("backup", "--dir", str(tmp_path), stdout=io.StringIO())
    from core.tasks import database_backup

    with pytest.raises(backup.BackupError):
        database_backup()
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.django_db(transaction=True)
def test_an_encrypted_or_explicitly_allowed_plain_backup_is_made(tmp_path, settings):
    settings.DEBUG, settings.BACKUP_ALLOW_UNENCRYPTED = False, False
    sealed = backup.database_backup(directory=tmp_path / "enc", keep=3, keys=[KEY])
    assert sealed.path.name.endswith(".enc")
    settings.BACKUP_ALLOW_UNENCRYPTED = True
    assert backup.database_backup(directory=tmp_path / "plain", keep=3).size > 0


# --- secrets -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_production_refuses_to_start_without_a_blind_index_key():
    result = _manage("check", DEBUG="0", BLIND_INDEX_KEY="")
    assert result.returncode != 0
    assert "BLIND_INDEX_KEY must be set" in result.stderr


@pytest.mark.slow
def test_the_generated_env_file_is_readable_by_its_owner_only(tmp_path):
    old_umask = os.umask(0o022)
    try:
        env_file = tmp_path / ".env"
        subprocess.run([sys.executable, str(ROOT / "devtools" / "write_env.py"), str(env_file)], check=True,
                       capture_output=True)
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        assert "FIELD_ENCRYPTION_KEYS=" in env_file.read_text()

        loose = tmp_path / "loose.env"
        loose.write_text("DEBUG=1\n")
        loose.chmod(0o644)
        subprocess.run([sys.executable, str(ROOT / "devtools" / "write_env.py"), str(loose)], check=True,
                       capture_output=True)
        assert stat.S_IMODE(loose.stat().st_mode) == 0o600 and loose.read_text() == "DEBUG=1\n"
    finally:
        os.umask(old_umask)


# --- import temporary files ----------------------------------------------------------------------
IMPORT_URL = reverse("admin:customers_customer_import")
PROCESS_URL = reverse("admin:customers_customer_process_import")


def _upload(client, *rows):
    lines = ["full_name,mobile,id_number", *rows]
    return client.post(IMPORT_URL, {"format": "0", "import_file": SimpleUploadedFile(
        "customers.csv", "\n".join(lines).encode())})


def _files_holding(text: str, since: float, *directories: Path) -> list[Path]:
    found = []
    for directory in directories:
        for path in directory.rglob("*") if directory.exists() else []:
            try:
                if path.is_file() and path.stat().st_mtime >= since and text.encode() in path.read_bytes():
                    found.append(path)
            except OSError:
                continue
    return found


@pytest.fixture
def import_client(client, db, settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "import-tmp"
    client.force_login(StaffFactory(role=Role.CS_AGENT))
    return client


def _unique_id_number() -> str:
    """A valid ID number no other test (or other process sharing the system temp directory) uses."""
    from customers.validators import id_number_check_digit

    born = dt.date(1950, 1, 1) + dt.timedelta(days=secrets.randbelow(365 * 50))
    first17 = f"110105{born:%Y%m%d}{secrets.randbelow(1000):03d}"
    return first17 + id_number_check_digit(first17)


def test_after_a_dry_run_no_file_on_disk_holds_the_id_number(import_client, settings):
    started = time.time() - 1
    id_number = _unique_id_number()
    preview = _upload(import_client, f"张伟,13800138000,{id_number}")
    assert preview.context.get("confirm_form") is not None

    tmp_dir = Path(settings.IMPORT_TMP_DIR)
    assert _files_holding(id_number, started, tmp_dir, Path(tempfile.gettempdir()), Path(settings.MEDIA_ROOT)) == []
    assert len(list(tmp_dir.iterdir())) == 1  # kept for the confirmation, encrypted, mode 600
    kept = next(tmp_dir.iterdir())
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600

    form = preview.context["confirm_form"]
    response = import_client.post(PROCESS_URL, {name: form.initial.get(name, "") for name in form.fields})
    assert response.status_code == 302 and Customer.objects.get().id_number_masked.endswith(id_number[-4:])
    assert list(tmp_dir.iterdir()) == []  # gone after the confirmation


def test_a_dry_run_with_rejected_rows_leaves_no_file_at_all(import_client, settings):
    preview = _upload(import_client, f"张伟,13800138000,{ID_NUMBER}", "王先生,021-64321234,")
    assert preview.context.get("confirm_form") is None
    assert list(Path(settings.IMPORT_TMP_DIR).iterdir()) == []


def test_the_kept_file_cannot_be_read_without_the_forms_key_and_a_forged_name_is_a_message(import_client):
    preview = _upload(import_client, f"张伟,13800138000,{ID_NUMBER}")
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    file_id = data["import_file_name"].split(".")[0]
    for forged in (file_id, "../../etc/passwd", file_id + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="):
        response = import_client.post(PROCESS_URL, {**data, "import_file_name": forged})
        assert response.status_code == 302 and response.url.endswith(IMPORT_URL)
    assert not Customer.objects.exists()


# --- anonymisation of merged duplicates ---------------------------------------------------------
@pytest.mark.django_db
def test_anonymising_a_customer_purges_the_history_of_the_duplicates_merged_into_it():
    agent = StaffFactory()
    kept = CustomerFactory(full_name="张伟", mobile="13800138000")
    duplicate = CustomerFactory(full_name="张伟", mobile="13900139000", email="zw@example.com")
    customer_update(customer=duplicate, actor=agent, email="zhangwei@example.com")
    older = CustomerFactory(full_name="张伟", mobile="13700137000")
    customer_merge(kept=duplicate, duplicate=older, actor=agent)  # merged into the duplicate first
    customer_merge(kept=kept, duplicate=duplicate, actor=agent)
    historical = Customer.history.model.objects
    assert historical.filter(mobile__in=["13900139000", "13700137000"]).exists()

    customer_anonymise(customer=kept, actor=agent, reason="客户要求注销")

    for mobile in ("13800138000", "13900139000", "13700137000"):
        assert not historical.filter(mobile=mobile).exists()
    assert not historical.filter(email__contains="zhangwei").exists()
    assert not historical.filter(full_name="张伟").exists()
    for merge in CustomerMerge.objects.all():
        assert "full_name" not in merge.merged_snapshot and "mobile" not in merge.merged_snapshot


# --- SMS backend and logs -------------------------------------------------------------------------
@pytest.mark.slow
def test_production_uses_the_logging_sms_backend_only_when_chosen_explicitly():
    def backend(**env):
        result = _manage("shell", "--no-imports", "-c",
                         "from django.conf import settings; print(settings.CARE_SMS_BACKEND)", **env)
        return (result.stdout.strip().splitlines() or [result.stderr])[-1]

    assert backend(DEBUG="0", CARE_SMS_BACKEND="") == "care.channels.sms.UnconfiguredSmsBackend"
    assert backend(DEBUG="0", CARE_SMS_BACKEND="care.channels.sms.LoggingSmsBackend") == (
        "care.channels.sms.LoggingSmsBackend")
    assert backend(DEBUG="1", CARE_SMS_BACKEND="") == "care.channels.sms.LoggingSmsBackend"


@pytest.mark.django_db
def test_without_an_sms_provider_a_message_fails_visibly_instead_of_being_logged_as_sent(settings):
    settings.CARE_SMS_BACKEND = "care.channels.sms.UnconfiguredSmsBackend"
    now = timezone.make_aware(timezone.datetime(2026, 11, 23, 10))
    message = Message.objects.create(customer=CustomerFactory(), body="生日快乐", requires_consent=False,
                                     send_after=now - timezone.timedelta(minutes=1))
    message_deliver(message_id=message.pk, now=now)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and "CARE_SMS_BACKEND" in message.status_reason


@pytest.mark.django_db
def test_the_logging_sms_backend_logs_neither_the_text_nor_the_mobile(caplog):
    customer = CustomerFactory(mobile="13800138000")
    with caplog.at_level(logging.INFO, logger="care.sms"):
        LoggingSmsBackend().send(address=customer.mobile, subject="", body="张先生生日快乐,赠券已到账", message=None)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "生日快乐" not in logged and "13800138000" not in logged and "8000" not in logged


def test_log_handlers_mask_mobiles_and_id_numbers_even_inside_exceptions():
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactPersonalData) for f in h.filters)]
    assert handlers, "the console handler of LOGGING carries the redaction filter"
    handler = handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        try:
            raise ValueError('duplicate key value violates unique constraint DETAIL: Key (mobile)=(13800138000)')
        except ValueError:
            logging.getLogger("customers").exception("could not save 139-0013-9000 / %s", ID_NUMBER)
    finally:
        handler.setStream(previous)
    text = stream.getvalue()
    assert "13800138000" not in text and "139-0013-9000" not in text and ID_NUMBER not in text
    assert "138****8000" in text and "Traceback" in text


# --- another agent's customer ------------------------------------------------------------------
def _change_form_data(customer, **overrides):
    data = {
        "full_name": customer.full_name, "mobile": customer.mobile, "gender": customer.gender or "",
        "birthday": "", "email": customer.email, "customer_type": customer.customer_type,
        "company_name": customer.company_name, "source": customer.source, "notes": customer.notes,
        "id_number": "", "change_reason": "",
        "places-TOTAL_FORMS": "0", "places-INITIAL_FORMS": "0", "places-MIN_NUM_FORMS": "0",
        "places-MAX_NUM_FORMS": "1000",
        "anniversaries-TOTAL_FORMS": "0", "anniversaries-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_agent_cannot_change_email_consent_or_referrer_of_another_agents_customer(client):
    owner, intruder = StaffFactory(role=Role.CS_AGENT), StaffFactory(role=Role.CS_AGENT)
    friend = CustomerFactory(full_name="李娜")
    customer = CustomerFactory(full_name="张伟", email="zw@example.com", marketing_consent=False, owner=owner)
    client.force_login(intruder)

    form = client.get(reverse("admin:customers_customer_change", args=[customer.pk])).context["adminform"].form
    assert not {"email", "marketing_consent", "referred_by"} & set(form.fields)  # shown read-only
    response = client.post(reverse("admin:customers_customer_change", args=[customer.pk]), _change_form_data(
        customer, email="attacker@example.com", marketing_consent="on", referred_by=str(friend.pk), notes="来电"))

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.email, customer.marketing_consent, customer.referred_by_id) == ("zw@example.com", False, None)
    assert customer.notes == "来电"  # what anyone may change is still saved
    for change in ({"email": "attacker@example.com"}, {"marketing_consent": True}, {"referred_by": friend}):
        with pytest.raises(NotAllowed) as err:
            customer_update(customer=customer, actor=intruder, **change)
        assert err.value.field == next(iter(change))


@pytest.mark.django_db
def test_the_owner_changes_email_consent_and_referrer(client):
    owner = StaffFactory(role=Role.CS_AGENT)
    friend = CustomerFactory(full_name="李娜")
    customer = CustomerFactory(full_name="张伟", email="zw@example.com", marketing_consent=False, owner=owner)
    client.force_login(owner)

    response = client.post(reverse("admin:customers_customer_change", args=[customer.pk]), _change_form_data(
        customer, email="zhangwei@example.com", marketing_consent="on", referred_by=str(friend.pk)))

    assert response.status_code == 302, response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert (customer.email, customer.marketing_consent, customer.referred_by_id) == (
        "zhangwei@example.com", True, friend.pk)
