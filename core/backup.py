"""Database backups (000: "data backup, encryption"): a consistent copy of the whole database (and
of the uploaded files) in a directory, the newest ``keep`` kept; and a restore from one of them.

PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot while the system runs; restored with
``pg_restore --clean --if-exists --single-transaction``, so a failed restore changes nothing). The
embedded SQLite database: SQLite's online backup API, consistent while others write.

With ``BACKUP_ENCRYPTION_KEYS`` set (Fernet keys, newest first, apart from FIELD_ENCRYPTION_KEYS), the
files are encrypted (``….enc``): the dump is streamed from pg_dump through the cipher, so no plain copy
is written; the file is a header line and one Fernet token per 8 MiB part, each part carrying its
number and an end mark, so a part removed, reordered or cut off is refused at restore. Without keys,
ID numbers are still in the copy only as the application encrypted them.

Every file is written under a temporary name and renamed when complete: a crash never leaves a
half-written file that looks like a backup.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import environ
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.db import connection, connections
from django.utils import timezone

PREFIX = "crm-"
SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}
MEDIA_SUFFIX = ".media.tar.gz"  # uploaded files (complaint attachments) beside the database copy
ENCRYPTED = ".enc"
MAGIC = b"CRM-BACKUP-FERNET-1\n"
PART = 8 * 1024 * 1024


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why (e.g. pg_dump's error)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    seconds: float
    removed: tuple[Path, ...]
    media: Path | None = None


# --- encryption (streamed, in authenticated parts) --------------------------------------------------
def _cipher(keys) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])
    except (ValueError, TypeError) as exc:
        raise BackupError("BACKUP_ENCRYPTION_KEYS must be Fernet keys (Fernet.generate_key())") from exc


def encrypt_stream(reader, writer, keys) -> None:
    """Copy ``reader`` to ``writer`` encrypted with the first key, part by part."""
    cipher = _cipher(keys)
    writer.write(MAGIC)
    index, part = 0, reader.read(PART)
    while True:
        following = reader.read(PART)
        last = not following
        writer.write(cipher.encrypt(index.to_bytes(8, "big") + (b"\x01" if last else b"\x00") + part) + b"\n")
        if last:
            return
        index, part = index + 1, following


def decrypt_stream(reader, writer, keys) -> None:
    """The inverse of ``encrypt_stream``, with any of the keys; refuses a wrong key, an altered,
    reordered or truncated file."""
    cipher = _cipher(keys)
    if reader.readline() != MAGIC:
        raise BackupError("not an encrypted backup of this system")
    expected, finished = 0, False
    for line in reader:
        if finished:
            raise BackupError("the encrypted backup has data after its last part")
        try:
            plain = cipher.decrypt(line.rstrip(b"\n"))
        except InvalidToken as exc:
            raise BackupError("cannot decrypt the backup: wrong BACKUP_ENCRYPTION_KEYS, or the file was altered") \
                from exc
        if int.from_bytes(plain[:8], "big") != expected:
            raise BackupError("the encrypted backup has parts missing or out of order")
        writer.write(plain[9:])
        expected, finished = expected + 1, plain[8] == 1
    if not finished:
        raise BackupError("the encrypted backup is truncated")


@contextmanager
def _written_atomically(target: Path):
    """Yield a temporary path beside ``target``; rename it to ``target`` only if the block succeeds."""
    partial = target.with_name(f"{target.name}.{uuid.uuid4().hex[:8]}.partial")  # two runs never share one
    try:
        yield partial
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _encrypt_file(plain: Path, target: Path, keys) -> None:
    with _written_atomically(target) as partial, open(plain, "rb") as reader, open(partial, "wb") as writer:
        encrypt_stream(reader, writer, keys)


# --- helpers ------------------------------------------------------------------------------------
def _pg_env(settings_dict: dict) -> dict:
    """libpq environment for the database (the password never appears on a command line)."""
    env = {**os.environ, "PGDATABASE": settings_dict["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _sqlite_copy(source: sqlite3.Connection, destination: sqlite3.Connection) -> None:
    """SQLite's online backup in one step, giving up after ~30 s of a locked database (Python's
    backup() would otherwise retry forever)."""
    busy = 0

    def progress(status, remaining, total):
        nonlocal busy
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            busy += 1
            if busy > 120:
                raise BackupError("the database stayed locked for 30 s; nothing was written, try again")

    source.backup(destination, progress=progress, sleep=0.25)


def _stem(path: Path) -> str:
    """``crm-20261202-023000`` of any file of that backup."""
    return path.name.split(".", 1)[0]


def _is_backup(path: Path) -> bool:
    name = path.name.removesuffix(ENCRYPTED)
    return name.startswith(PREFIX) and any(name.endswith(s) for s in SUFFIXES.values()) and path.is_file()


def backups_in(directory: Path) -> list[Path]:
    """The database backups in ``directory``, oldest first (names carry the time)."""
    if not Path(directory).is_dir():
        return []
    return sorted((p for p in Path(directory).iterdir() if _is_backup(p)), key=lambda p: p.name)


def media_for(backup: Path) -> Path:
    """The archive of uploaded files made with a database backup (encrypted when the backup is)."""
    return backup.with_name(_stem(backup) + MEDIA_SUFFIX + (ENCRYPTED if backup.name.endswith(ENCRYPTED) else ""))


def _archive_media(media_root: Path, target: Path, keys=()) -> Path | None:
    if not media_root.is_dir() or not any(media_root.iterdir()):
        return None
    if keys:
        with tempfile.TemporaryDirectory() as scratch:
            plain = Path(scratch) / "media.tar.gz"
            with tarfile.open(plain, "w:gz") as archive:
                archive.add(media_root, arcname="media")
            _encrypt_file(plain, target, keys)
        return target
    with _written_atomically(target) as partial, tarfile.open(partial, "w:gz") as archive:
        archive.add(media_root, arcname="media")
    return target


# --- backup -------------------------------------------------------------------------------------
def _pg_dump(settings_dict: dict, target: Path, keys) -> None:
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    with _written_atomically(target) as partial:
        if not keys:
            done = subprocess.run([*command, "--file", str(partial)], env=_pg_env(settings_dict),
                                  capture_output=True, text=True, check=False)
            if done.returncode:  # negative: killed by a signal (SIGXFSZ: past the file size limit)
                how = signal.Signals(-done.returncode).name if done.returncode < 0 else f"exit {done.returncode}"
                raise BackupError(f"pg_dump failed ({how}): {done.stderr.strip()}")
            return
        with tempfile.TemporaryFile() as errors, open(partial, "wb") as writer:
            dump = subprocess.Popen(command, env=_pg_env(settings_dict), stdout=subprocess.PIPE, stderr=errors)
            try:
                encrypt_stream(dump.stdout, writer, keys)
            finally:
                dump.stdout.close()
                code = dump.wait()
            if code:
                errors.seek(0)
                raise BackupError(f"pg_dump failed: {errors.read().decode(errors='replace').strip()}")


def _sqlite_backup(conn, target: Path, keys) -> None:
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        plain = Path(scratch) / "copy.sqlite3"
        destination = sqlite3.connect(plain)
        try:
            if conn.is_in_memory_db():
                conn.ensure_connection()
                _sqlite_copy(conn.connection, destination)
            else:  # a connection of its own: no transaction of this process's in the way
                source = sqlite3.connect(f"file:{conn.settings_dict['NAME']}?mode=ro", uri=True)
                try:
                    _sqlite_copy(source, destination)
                finally:
                    source.close()
        finally:
            destination.close()
        if keys:
            _encrypt_file(plain, target, keys)
        else:
            plain.replace(target)


def refuse_unencrypted_in_production() -> None:
    """A plain backup holds every customer's name, mobile and history in clear: in production
    (DEBUG off) it is refused unless BACKUP_ALLOW_UNENCRYPTED says the operator chose it."""
    from django.conf import settings

    if settings.DEBUG or getattr(settings, "BACKUP_ALLOW_UNENCRYPTED", False):
        return
    raise BackupError("refusing an unencrypted backup in production: set BACKUP_ENCRYPTION_KEYS "
                      "(or BACKUP_ALLOW_UNENCRYPTED=1 to accept plain backups)")


def database_backup(*, directory: Path, keep: int = 14, alias: str = "default", now=None,
                    media_root: Path | None = None, keys=()) -> BackupResult:
    """Write a backup of the database (and an archive of ``media_root`` when it holds files) to
    ``directory``, encrypted with ``keys`` when given, and delete all but the newest ``keep``."""
    if keep < 1:
        raise BackupError("keep must be at least 1")
    keys = [k for k in keys if k]
    if keys:
        _cipher(keys)  # a bad key is refused before anything is dumped
    else:
        refuse_unencrypted_in_production()
    conn = connections[alias]
    vendor = conn.vendor
    if vendor not in SUFFIXES:
        raise BackupError(f"backups of {vendor} databases are not supported")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    target = directory / f"{PREFIX}{stamp}{SUFFIXES[vendor]}{ENCRYPTED if keys else ''}"
    started = time.perf_counter()
    if vendor == "postgresql":
        _pg_dump(conn.settings_dict, target, keys)
    else:
        _sqlite_backup(conn, target, keys)
    try:
        media = _archive_media(Path(media_root), media_for(target), keys) if media_root else None
    except BaseException:  # disk full while archiving: no half backup (a dump without its files) stays
        target.unlink(missing_ok=True)
        raise
    # Only a complete new backup makes room: a failure above leaves every earlier backup in place.
    removed = tuple(backups_in(directory)[:-keep])
    for old in removed:
        old.unlink(missing_ok=True)
        media_for(old).unlink(missing_ok=True)
    return BackupResult(path=target, size=target.stat().st_size, seconds=time.perf_counter() - started,
                        removed=removed, media=media)


# --- restore ------------------------------------------------------------------------------------
@contextmanager
def _plain_copy(path: Path, keys, suffix: str):
    """The backup as a plain file: itself, or decrypted into a private temporary file."""
    if not path.name.endswith(ENCRYPTED):
        yield path
        return
    if not keys:
        raise BackupError(f"{path.name} is encrypted: set BACKUP_ENCRYPTION_KEYS")
    with tempfile.TemporaryDirectory() as scratch:
        plain = Path(scratch) / f"plain{suffix}"
        with open(path, "rb") as reader, open(plain, "wb") as writer:
            decrypt_stream(reader, writer, keys)
        yield plain


def database_restore(*, path: Path, database_url: str | None = None, keys=()) -> None:
    """Replace the contents of the database (or of the one at ``database_url``) with a backup.
    PostgreSQL: in one transaction, so a failed restore leaves the database as it was. SQLite: the
    backup's pages are copied over the database; stop the server and workers first."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no such backup: {path}")
    if database_url:
        settings_dict = environ.Env.db_url_config(database_url)
        vendor = "postgresql" if "postgresql" in settings_dict["ENGINE"] else "sqlite"
    else:
        settings_dict, vendor = connection.settings_dict, connection.vendor
    if not path.name.removesuffix(ENCRYPTED).endswith(SUFFIXES.get(vendor, "?")):
        raise BackupError(f"{path.name} is not a backup of a {vendor} database")
    with _plain_copy(path, [k for k in keys if k], SUFFIXES[vendor]) as plain:
        if vendor == "postgresql":
            done = subprocess.run(
                [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                 "--single-transaction", "--exit-on-error", "--dbname", settings_dict["NAME"], str(plain)],
                env=_pg_env(settings_dict), capture_output=True, text=True, check=False)
            if done.returncode:
                raise BackupError(f"pg_restore failed (nothing was changed): {done.stderr.strip()}")
            return
        source = sqlite3.connect(f"file:{plain}?mode=ro", uri=True)
        try:
            if database_url:
                destination = sqlite3.connect(settings_dict["NAME"])
                try:
                    _sqlite_copy(source, destination)
                finally:
                    destination.close()
            else:
                connection.ensure_connection()
                if connection.in_atomic_block:
                    raise BackupError("restore outside a transaction")
                _sqlite_copy(source, connection.connection)
        finally:
            source.close()


def media_restore(*, backup: Path, media_root: Path, keys=()) -> bool:
    """Put back the uploaded files archived with ``backup`` (files of the same name are replaced,
    others are left). False when that backup has no archive."""
    archive_path = media_for(Path(backup))
    if not archive_path.is_file():
        return False
    media_root = Path(media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    with _plain_copy(archive_path, [k for k in keys if k], ".tar.gz") as plain, tarfile.open(plain, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name == "media" or m.name.startswith("media/")]
        for member in members:
            member.name = member.name[len("media/"):] if member.name != "media" else "."
        archive.extractall(media_root, members=members, filter="data")
    return True
