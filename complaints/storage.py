"""Where complaint attachments live: under MEDIA_ROOT (so backups take them), but their URL is the
permission-checked download view in the admin, never MEDIA_URL. Every ``file.url`` (the admin's
read-only inline, templates) therefore leads through the check."""

from django.core.files.storage import FileSystemStorage
from django.urls import reverse


class AttachmentStorage(FileSystemStorage):
    def url(self, name):
        return reverse("admin:complaints_attachment_download", args=[name])

    def deconstruct(self):
        return ("complaints.storage.AttachmentStorage", (), {})
