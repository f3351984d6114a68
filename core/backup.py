"""Database backups (000: "data backup, encryption"): a consistent copy of the whole database in a
directory, the newest ``keep`` kept; and a restore from one of them.

PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot while the system runs; restored with
``pg_restore --clean --if-exists --single-transaction``, so a failed restore changes nothing). The
embedded SQLite database: SQLite's online backup API, page by page, consistent while others write.
ID numbers are in the copy only as the application encrypted them (FIELD_ENCRYPTION_KEYS), so keep
the keys apart from the backups. A backup is written under a temporary name and renamed when
complete: a crash never leaves a half-written file that looks like a backup.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import environ
from django.db import connection, connections
from django.utils import timezone

PREFIX = "crm-"
SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}
MEDIA_SUFFIX = ".media.tar.gz"  # uploaded files (complaint attachments) beside the database copy


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why (e.g. pg_dump's error)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    seconds: float
    removed: tuple[Path, ...]
    media: Path | None = None


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


def backups_in(directory: Path) -> list[Path]:
    """The backups in ``directory``, oldest first (names carry the time, so name order is age order)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.name.startswith(PREFIX) and p.suffix in SUFFIXES.values() and p.is_file())


def media_for(backup: Path) -> Path:
    """The archive of uploaded files made with a database backup."""
    return backup.with_name(backup.name[: -len(backup.suffix)] + MEDIA_SUFFIX)


def _archive_media(media_root: Path, target: Path) -> Path | None:
    if not media_root.is_dir() or not any(media_root.iterdir()):
        return None
    partial = target.with_name(target.name + ".partial")
    try:
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(media_root, arcname="media")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def database_backup(*, directory: Path, keep: int = 14, alias: str = "default", now=None,
                    media_root: Path | None = None) -> BackupResult:
    """Write a backup of the database (and an archive of ``media_root`` when it holds files) to
    ``directory``, and delete all but the newest ``keep`` backups."""
    if keep < 1:
        raise BackupError("keep must be at least 1")
    conn = connections[alias]
    vendor = conn.vendor
    if vendor not in SUFFIXES:
        raise BackupError(f"backups of {vendor} databases are not supported")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    target = directory / f"{PREFIX}{stamp}{SUFFIXES[vendor]}"
    partial = target.with_name(target.name + ".partial")
    started = time.perf_counter()
    try:
        if vendor == "postgresql":
            done = subprocess.run(
                [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial)],
                env=_pg_env(conn.settings_dict), capture_output=True, text=True, check=False)
            if done.returncode:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        else:
            destination = sqlite3.connect(partial)
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
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    media = _archive_media(Path(media_root), media_for(target)) if media_root else None
    removed = tuple(backups_in(directory)[:-keep])
    for old in removed:
        old.unlink(missing_ok=True)
        media_for(old).unlink(missing_ok=True)
    return BackupResult(path=target, size=target.stat().st_size, seconds=time.perf_counter() - started,
                        removed=removed, media=media)


def media_restore(*, backup: Path, media_root: Path) -> bool:
    """Put back the uploaded files archived with ``backup`` (files of the same name are replaced,
    others are left). False when that backup has no archive."""
    archive_path = media_for(Path(backup))
    if not archive_path.is_file():
        return False
    media_root = Path(media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name == "media" or m.name.startswith("media/")]
        for member in members:
            member.name = member.name[len("media/"):] if member.name != "media" else "."
        archive.extractall(media_root, members=members, filter="data")
    return True


def database_restore(*, path: Path, database_url: str | None = None) -> None:
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
    if path.suffix != SUFFIXES.get(vendor):
        raise BackupError(f"{path.name} is not a backup of a {vendor} database")
    if vendor == "postgresql":
        done = subprocess.run(
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             "--exit-on-error", "--dbname", settings_dict["NAME"], str(path)],
            env=_pg_env(settings_dict), capture_output=True, text=True, check=False)
        if done.returncode:
            raise BackupError(f"pg_restore failed (nothing was changed): {done.stderr.strip()}")
        return
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
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
