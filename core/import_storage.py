"""Where django-import-export keeps an uploaded file between the dry run and the confirmation.

The library's default writes the file as uploaded (ID numbers in clear) to the system's temporary
folder and leaves it there when the dry run finds errors or the user never confirms. Here the file is
encrypted with a fresh Fernet key made for that one upload, and the key is not kept on the server: it
travels only in the storage's name, which the library puts in the confirmation form's hidden field. On
disk there is never more than ciphertext that the server cannot read without the user's next request.
The file is deleted after the confirmation and after a dry run that offers none (see
``ImportTempFilesMixin``); a file abandoned mid-way is deleted by the next upload once older than
``MAX_AGE``.
"""

import os
import re
import time
import uuid
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext
from import_export.tmp_storages import BaseStorage

MAX_AGE = 6 * 3600  # seconds an unconfirmed import may wait
_NAME = re.compile(r"^(?P<id>[0-9a-f]{32})\.(?P<key>[A-Za-z0-9_-]{43}=)$")


class ImportFileGone(ValueError):
    """The file to confirm is gone (expired, already imported) or the name was altered."""


def import_tmp_dir() -> Path:
    directory = Path(settings.IMPORT_TMP_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def remove_stale(*, now: float | None = None) -> int:
    """Delete unconfirmed import files older than MAX_AGE; returns how many."""
    limit = (now or time.time()) - MAX_AGE
    removed = 0
    for path in import_tmp_dir().glob("*.import"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


class EncryptedTempStorage(BaseStorage):
    """IMPORT_EXPORT_TMP_STORAGE_CLASS: the upload encrypted at rest, the key only in the name."""

    def _parts(self) -> tuple[str, bytes]:
        match = _NAME.match(self.name or "")
        if match is None:
            raise ImportFileGone("not an import file name")
        return match["id"], match["key"].encode()

    def _path(self) -> Path:
        return import_tmp_dir() / f"{self._parts()[0]}.import"

    def save(self, data) -> None:
        remove_stale()
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        key = Fernet.generate_key()
        self.name = f"{uuid.uuid4().hex}.{key.decode()}"
        fd = os.open(self._path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(Fernet(key).encrypt(data))

    def read(self):
        _id, key = self._parts()
        try:
            data = Fernet(key).decrypt(self._path().read_bytes())
        except (FileNotFoundError, InvalidToken) as exc:
            raise ImportFileGone("the import file is gone or was altered") from exc
        return data if "b" in self.read_mode else data.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        try:
            self._path().unlink(missing_ok=True)
        except ImportFileGone:
            pass


class ImportTempFilesMixin:
    """Put before django-import-export's ImportMixin: the dry run's file is deleted when no
    confirmation is offered (rejected rows, unreadable file), and the confirmation deletes it
    whatever happens; a file that is gone is a message, not an error page."""

    def _import_storage(self, name: str):
        return self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs())

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        upload = request.FILES.get("import_file")
        name = getattr(upload, "tmp_storage_name", None)
        if name and (getattr(response, "context_data", None) or {}).get("confirm_form") is None:
            self._import_storage(name).remove()
        return response

    def process_import(self, request, **kwargs):
        name = os.path.basename(request.POST.get("import_file_name", "")) if request.method == "POST" else ""
        try:
            return super().process_import(request, **kwargs)
        except ImportFileGone:
            messages.error(request, gettext("This import has expired or was already done: upload the file again."))
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")
        finally:
            if name:
                self._import_storage(name).remove()
