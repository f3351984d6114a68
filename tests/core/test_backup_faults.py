"""Disk full / backup target unwritable (issue 16, fault 5): the nightly backup job fails loudly (its
status says FAILED with the reason, the operators get an e-mail, the task fails) and the previous
backups are kept: nothing pruned, no partial file under a backup's name.

The full disk is a real write failure, without mocks: the job runs in a subprocess whose file-size
limit (``RLIMIT_FSIZE``, no privileges needed) is below the size of a dump, so pg_dump (or, with
encryption, our own writer) cannot finish the file. The unwritable target is a directory made
read-only (chmod), or a path under a file."""

import datetime as dt
import email
import email.policy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.db import connection
from django.utils import timezone

from core import backup
from core.models import JobRun
from core.tasks import database_backup
from tests.factories import CustomerFactory

ROOT = Path(__file__).resolve().parents[2]
OPS = "ops@example.com"


@pytest.fixture(autouse=True)
def _plain_backups_allowed(settings):
    """Tests run with DEBUG off, where plain backups are refused (tests/security/test_ops_holes.py proves
    it); these tests are about failures of the copy itself."""
    settings.BACKUP_ALLOW_UNENCRYPTED = True


def previous_backups(directory: Path, keys=()) -> list[Path]:
    """Two earlier nights' backups (BACKUP_KEEP=2: a successful run would prune the older one)."""
    for days in (2, 1):
        backup.database_backup(directory=directory, keep=2, now=timezone.now() - dt.timedelta(days=days), keys=keys)
    return backup.backups_in(directory)


def assert_failed_loudly_and_kept(directory: Path, kept: list[Path], emails: list[str]) -> None:
    run = JobRun.objects.get(name="backup")
    assert run.last_result.startswith("FAILED: ") and run.last_finished_at is None  # job_status shows it
    reason = run.last_result.removeprefix("FAILED: ")
    assert any(reason in e and OPS in e for e in emails)  # the operators are told why
    assert backup.backups_in(directory) == kept  # nothing new, nothing pruned
    assert [p.stat().st_size for p in kept] == [p.stat().st_size for p in backup.backups_in(directory)]
    assert not list(directory.glob("*.partial")) and not list(directory.glob("tmp*"))


@pytest.mark.django_db(transaction=True)
def test_a_backup_directory_that_cannot_be_created_fails_the_job_loudly(settings, tmp_path):
    """Unwritable even for root: a file stands where the directory should be."""
    (tmp_path / "disk").write_text("not a directory")
    settings.BACKUP_DIR, settings.OPS_EMAILS = tmp_path / "disk" / "backups", [OPS]
    with pytest.raises(OSError):
        database_backup()
    run = JobRun.objects.get(name="backup")
    assert run.last_result.startswith("FAILED: ") and run.last_finished_at is None
    assert [m.to for m in mail.outbox] == [[OPS]] and "备份失败" in mail.outbox[0].subject
    assert run.last_result.removeprefix("FAILED: ") in mail.outbox[0].body


def mailed(path: Path) -> str:
    """Subject, recipients and body of an e-mail the file backend wrote (headers decoded)."""
    message = email.message_from_string(path.read_text().rsplit("\n" + "-" * 79, 1)[0], policy=email.policy.default)
    return f"{message['Subject']} {message['To']} {message.get_content()}"


def backup_job_in_subprocess(*, directory: Path, mail_dir: Path, keys=(), limit: int | None = None):
    """The beat task in its own process on the test database: writing files of at most ``limit``
    bytes (a full disk), and as root without the capability to ignore file permissions (root would
    write into a read-only directory)."""
    settings_dict = connection.settings_dict
    url = (f"postgres://{settings_dict['USER']}:{settings_dict.get('PASSWORD') or ''}@{settings_dict['HOST']}:"
           f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "BACKUP_DIR": str(directory), "BACKUP_KEEP": "2",
           "BACKUP_ENCRYPTION_KEYS": ",".join(keys), "BACKUP_ALLOW_UNENCRYPTED": "1", "OPS_EMAILS": OPS, "EMAIL_URL": f"filemail:///{mail_dir}",
           "MEDIA_ROOT": str(directory.parent / "media"), "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    limit_code = f"import resource; resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n" if limit else ""
    code = f"{limit_code}import django; django.setup()\nfrom core.tasks import database_backup\ndatabase_backup()\n"
    command = [sys.executable, "-c", code]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without util-linux setpriv to drop CAP_DAC_OVERRIDE")
        caps = "-dac_override,-dac_read_search"
        command = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", "--", *command]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def emails_in(mail_dir: Path) -> list[str]:
    return [mailed(p) for p in mail_dir.iterdir()] if mail_dir.is_dir() else []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_only_backup_directory_fails_the_job_loudly_and_keeps_the_previous_backups(tmp_path):
    CustomerFactory()
    directory, mail_dir = tmp_path / "backups", tmp_path / "mail"
    kept = previous_backups(directory)
    mail_dir.mkdir()
    directory.chmod(0o555)
    try:
        done = backup_job_in_subprocess(directory=directory, mail_dir=mail_dir)
    finally:
        directory.chmod(0o755)
    assert done.returncode != 0, done.stdout + done.stderr
    assert_failed_loudly_and_kept(directory, kept, emails_in(mail_dir))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("full_while", ["pg_dump writes", "the encrypted stream", "archiving uploaded files"])
def test_a_full_disk_fails_the_job_loudly_and_keeps_the_previous_backups(tmp_path, full_while):
    CustomerFactory.create_batch(20)
    keys = [Fernet.generate_key().decode()] if full_while == "the encrypted stream" else []
    directory, mail_dir = tmp_path / "backups", tmp_path / "mail"
    kept = previous_backups(directory, keys)
    dump_size = min(p.stat().st_size for p in kept)
    limit = dump_size // 2  # room for the alert e-mail, not for a dump
    if full_while == "archiving uploaded files":  # the dump fits; the archive of the uploads does not
        (tmp_path / "media").mkdir()
        (tmp_path / "media" / "photo.jpg").write_bytes(os.urandom(dump_size * 4))
        limit = dump_size * 2
    assert limit > 4096

    done = backup_job_in_subprocess(directory=directory, mail_dir=mail_dir, keys=keys, limit=limit)

    assert done.returncode != 0, done.stdout + done.stderr
    assert_failed_loudly_and_kept(directory, kept, emails_in(mail_dir))
    assert not list(directory.glob(f"*{backup.MEDIA_SUFFIX}*"))
