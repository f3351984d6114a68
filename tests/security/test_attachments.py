"""Complaint attachments: type checked by content, size-limited, stored under random names, and served
only through the permission-checked view (never from MEDIA_URL)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from complaints.errors import ComplaintError
from complaints.models import Attachment
from complaints.services import attachment_add
from core.roles import Role
from tests.complaints.factories import make_complaint
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"0" * 200


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _add(name, content, **kwargs):
    return attachment_add(complaint=make_complaint(), file=SimpleUploadedFile(name, content), **kwargs)


@pytest.mark.parametrize("name,content", [
    ("photo.jpg", b"<html><script>alert(document.cookie)</script></html>"),  # a page dressed as a photo
    ("scan.pdf", b"MZ\x90\x00" + b"\x00" * 100),  # an executable dressed as a PDF
    ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("note.txt", b"hello"),
])
def test_a_file_whose_content_is_not_an_accepted_type_is_refused(name, content):
    with pytest.raises(ComplaintError) as refused:
        _add(name, content)
    assert refused.value.field == "file"
    assert not Attachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.COMPLAINT_ATTACHMENT_MAX_MB = 1
    with pytest.raises(ComplaintError):
        _add("big.png", PNG + b"\x00" * (1024 * 1024))
    assert not Attachment.objects.exists()


def test_the_stored_name_is_random_and_the_original_kept_for_display(media):
    first = _add("../../etc/我的截图.png", PNG)
    second = _add("我的截图.png", PNG)
    assert first.file.name.startswith("complaints/") and first.file.name.endswith(".png")
    assert first.file.name != second.file.name and "截图" not in first.file.name and ".." not in first.file.name
    assert first.original_name == "我的截图.png" and first.content_type == "image/png"
    assert (media / first.file.name).read_bytes() == PNG


def test_the_stored_extension_follows_the_content_not_the_name():
    attachment = _add("invoice.exe", PDF)
    assert attachment.file.name.endswith(".pdf") and attachment.content_type == "application/pdf"


def test_the_file_url_leads_to_the_checked_view_not_media():
    attachment = _add("photo.png", PNG)
    assert attachment.file.url.startswith("/admin/complaints/complaint/attachments/")
    assert "/media/" not in attachment.file.url


def test_a_reader_of_complaints_downloads_it_under_its_original_name():
    attachment = _add("行车记录.png", PNG)
    client = Client()
    client.force_login(StaffFactory(role=Role.CS_AGENT))
    response = client.get(attachment.file.url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert "sandbox" in response["Content-Security-Policy"]


def test_staff_without_the_permission_and_strangers_get_nothing():
    attachment = _add("photo.png", PNG)
    staff = Client()
    staff.force_login(UserFactory())  # staff, no complaint permission
    assert staff.get(attachment.file.url).status_code == 403
    stranger = Client().get(attachment.file.url)
    assert stranger.status_code == 302 and "/login/" in stranger["Location"]


def test_media_url_does_not_serve_the_files():
    attachment = _add("photo.png", PNG)
    client = Client()
    client.force_login(StaffFactory(role=Role.CS_AGENT))
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
