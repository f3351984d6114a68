"""Backups (000: data backup): a consistent copy of the database and the uploaded files, the newest
BACKUP_KEEP kept, restorable; nightly by beat. PostgreSQL through pg_dump / pg_restore."""

import datetime as dt
import io
import shutil
import sqlite3
import subprocess
import uuid

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from core import backup
from core.models import JobRun
from customers.models import Customer
from tests.factories import CustomerFactory

NOW = timezone.now()


@pytest.fixture(autouse=True)
def plain_backups_allowed(settings):
    """These tests are about the copy itself; the refusal of plain backups in production is
    tests/security/test_ops_holes.py's."""
    settings.BACKUP_ALLOW_UNENCRYPTED = True


def test_the_nightly_backup_is_declared_for_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["core.database_backup"]
    assert entry["task"] == "core.tasks.database_backup"
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {30}


@pytest.mark.django_db(transaction=True)
def test_only_the_newest_backups_are_kept_with_their_uploaded_files(tmp_path):
    media = tmp_path / "media"
    (media / "complaints").mkdir(parents=True)
    (media / "complaints" / "photo.jpg").write_bytes(b"\xff\xd8 scratch on the door")
    made = [backup.database_backup(directory=tmp_path / "b", keep=2, media_root=media,
                                   now=NOW + dt.timedelta(minutes=i)) for i in range(3)]

    assert backup.backups_in(tmp_path / "b") == [made[1].path, made[2].path]
    assert not made[0].path.exists() and not backup.media_for(made[0].path).exists()
    assert made[2].removed == (made[0].path,)
    assert backup.media_for(made[2].path).is_file()
    assert not list((tmp_path / "b").glob("*.partial"))


def test_a_restore_refuses_what_is_not_a_backup_of_this_kind_of_database(tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("not a backup")
    with pytest.raises(backup.BackupError):
        backup.database_restore(path=tmp_path / "missing.dump")
    with pytest.raises(backup.BackupError):
        backup.database_restore(path=stray, database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")


def test_uploaded_files_come_back_from_the_archive(tmp_path):
    media = tmp_path / "media"
    (media / "complaints").mkdir(parents=True)
    (media / "complaints" / "photo.jpg").write_bytes(b"evidence")
    fake = tmp_path / "b" / "crm-20261202-023000.sqlite3"
    fake.parent.mkdir()
    fake.write_bytes(b"")
    backup._archive_media(media, backup.media_for(fake))
    shutil.rmtree(media)

    assert backup.media_restore(backup=fake, media_root=media)
    assert (media / "complaints" / "photo.jpg").read_bytes() == b"evidence"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path (embedded mode)")
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_then_restore_brings_the_data_back(tmp_path):
    kept = CustomerFactory(full_name="张伟")
    made = backup.database_backup(directory=tmp_path, keep=3)
    with sqlite3.connect(made.path) as copy:
        assert copy.execute("SELECT full_name FROM customers_customer WHERE id = ?", [kept.pk]).fetchone() == ("张伟",)
    CustomerFactory(full_name="李娜")
    Customer.objects.filter(pk=kept.pk).update(full_name="王芳")

    call_command("restore", str(made.path), "--yes", "--no-media", stdout=io.StringIO())

    assert list(Customer.objects.values_list("full_name", flat=True)) == ["张伟"]


@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_records_its_run(tmp_path, settings):
    from core.tasks import database_backup

    settings.BACKUP_DIR, settings.MEDIA_ROOT = tmp_path / "b", tmp_path / "media"
    summary = database_backup()

    run = JobRun.objects.get(name="backup")
    assert run.runs == 1 and run.last_finished_at is not None and run.last_result == summary
    assert len(backup.backups_in(tmp_path / "b")) == 1


@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_delivered_twice_backs_up_once(tmp_path, settings):
    from core.tasks import database_backup

    settings.BACKUP_DIR, settings.MEDIA_ROOT = tmp_path / "b", tmp_path / "media"
    database_backup()
    second = database_backup()

    assert second.startswith("skipped")
    assert len(backup.backups_in(tmp_path / "b")) == 1 and JobRun.objects.get(name="backup").runs == 1


def test_restore_needs_a_backup_and_a_yes(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path
    with pytest.raises(CommandError, match="no backup"):
        call_command("restore", "--latest", "--yes")
    with pytest.raises(CommandError, match="name a backup"):
        call_command("restore", "--yes")


# --- encryption ---------------------------------------------------------------------------------
KEY, OLD_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _encrypted(data: bytes, keys, monkeypatch, part=7) -> bytes:
    monkeypatch.setattr(backup, "PART", part)
    out = io.BytesIO()
    backup.encrypt_stream(io.BytesIO(data), out, keys)
    return out.getvalue()


def _decrypted(data: bytes, keys) -> bytes:
    out = io.BytesIO()
    backup.decrypt_stream(io.BytesIO(data), out, keys)
    return out.getvalue()


@pytest.mark.parametrize("data", [b"", b"short", "客户 13800138000 张伟".encode() * 5])
def test_encryption_round_trips_in_parts_and_hides_the_content(data, monkeypatch):
    sealed = _encrypted(data, [KEY], monkeypatch)
    assert _decrypted(sealed, [KEY]) == data
    assert b"13800138000" not in sealed
    assert _decrypted(sealed, [OLD_KEY, KEY]) == data  # any listed key decrypts (rotation)


def test_a_wrong_key_or_an_altered_reordered_or_cut_file_is_refused(monkeypatch):
    data = b"0123456789" * 5
    sealed = _encrypted(data, [KEY], monkeypatch)
    head, *parts = sealed.splitlines(keepends=True)
    assert len(parts) == 8
    flipped = bytearray(sealed)
    flipped[len(head) + 20] ^= 1
    cases = {
        "wrong key": (sealed, [OLD_KEY]),
        "altered": (bytes(flipped), [KEY]),
        "part missing": (head + b"".join(parts[:3] + parts[4:]), [KEY]),
        "reordered": (head + b"".join([parts[1], parts[0], *parts[2:]]), [KEY]),
        "cut off": (head + b"".join(parts[:-1]), [KEY]),
        "not a backup": (b"PGDMP" + sealed, [KEY]),
    }
    for blob, keys in cases.values():
        with pytest.raises(backup.BackupError):
            _decrypted(blob, keys)


def test_a_bad_key_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(backup.BackupError, match="Fernet"):
        backup.database_backup(directory=tmp_path, keys=["not-a-key"])
    assert backup.backups_in(tmp_path) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path (embedded mode)")
@pytest.mark.django_db(transaction=True)
def test_an_encrypted_sqlite_backup_restores_only_with_the_key(tmp_path, settings):
    CustomerFactory(full_name="张伟", mobile="13800138000")
    media = tmp_path / "media"
    media.mkdir()
    (media / "photo.jpg").write_bytes(b"evidence")
    made = backup.database_backup(directory=tmp_path / "b", keep=3, keys=[KEY], media_root=media)
    assert made.path.name.endswith(".sqlite3.enc") and made.media.name.endswith(".media.tar.gz.enc")
    assert b"13800138000" not in made.path.read_bytes()
    Customer.objects.all().delete()
    (media / "photo.jpg").unlink()

    settings.BACKUP_ENCRYPTION_KEYS = []
    with pytest.raises(CommandError, match="encrypted"):
        call_command("restore", str(made.path), "--yes", stdout=io.StringIO())
    settings.BACKUP_ENCRYPTION_KEYS, settings.MEDIA_ROOT = [KEY], media
    call_command("restore", str(made.path), "--yes", stdout=io.StringIO())

    assert list(Customer.objects.values_list("mobile", flat=True)) == ["13800138000"]
    assert (media / "photo.jpg").read_bytes() == b"evidence"


# --- PostgreSQL: pg_dump / pg_restore --------------------------------------------------------------
def _scratch_database():
    name = f"crm_restore_{uuid.uuid4().hex[:8]}"
    settings_dict = connection.settings_dict
    env = backup._pg_env({**settings_dict, "NAME": "postgres"})
    subprocess.run(["createdb", name], env=env, check=True)
    user = settings_dict.get("USER") or "postgres"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return name, f"postgres://{user}@{host}:{port}/{name}", env


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restores_into_another_database_with_the_same_rows(tmp_path):
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is needed for PostgreSQL backups (postgresql-client)")
    customer = CustomerFactory(full_name="张伟", id_number="11010519491231002X")
    made = backup.database_backup(directory=tmp_path, keep=3)
    assert made.path.suffix == ".dump" and made.size > 0
    name, url, env = _scratch_database()
    try:
        call_command("restore", str(made.path), "--database-url", url, "--yes", stdout=io.StringIO())
        out = subprocess.run(
            ["psql", "-At", "-d", name, "-c",
             f"SELECT full_name, id_number_encrypted FROM customers_customer WHERE id = {customer.pk}"],
            env=env, capture_output=True, text=True, check=True).stdout.strip()
        assert out.split("|")[0] == "张伟"
        assert "11010519491231002X" not in out  # the copy holds ID numbers only encrypted
        # A broken backup changes nothing (one transaction).
        broken = tmp_path / "crm-broken.dump"
        broken.write_bytes(made.path.read_bytes()[: made.size // 2])
        with pytest.raises(backup.BackupError):
            backup.database_restore(path=broken, database_url=url)
        still = subprocess.run(["psql", "-At", "-d", name, "-c", "SELECT count(*) FROM customers_customer"],
                               env=env, capture_output=True, text=True, check=True).stdout.strip()
        assert still == "1"
        # Encrypted: pg_dump streamed through the cipher, restored with the key.
        sealed = backup.database_backup(directory=tmp_path / "enc", keep=3, keys=[KEY])
        assert sealed.path.name.endswith(".dump.enc") and b"PGDMP" not in sealed.path.read_bytes()[:200]
        backup.database_restore(path=sealed.path, database_url=url, keys=[KEY])
        assert subprocess.run(["psql", "-At", "-d", name, "-c", "SELECT count(*) FROM customers_customer"],
                              env=env, capture_output=True, text=True, check=True).stdout.strip() == "1"
    finally:
        subprocess.run(["dropdb", "--force", name], env=env, check=False)
