"""Attacks on the public complaint form: spoofed X-Forwarded-For, many submissions from one address or
for one mobile, a dead cache, bots past the CAPTCHA threshold, double submission."""

import pytest
from captcha.models import CaptchaStore
from django.test import Client, RequestFactory

from complaints.models import Complaint
from core.http import client_ip
from tests.complaints.factories import category

pytestmark = pytest.mark.django_db
URL = "/public/complaints/new/"


def payload(i=0, **extra):
    data = {"full_name": "赵建国", "mobile": f"139123456{i:02d}", "category": category("late_no_show").pk,
            "content": f"司机迟到四十分钟,电话也不接。({i})", "demand": "道歉"}
    data.update(extra)
    return data


@pytest.fixture(autouse=True)
def generous_challenge(settings):
    settings.COMPLAINT_PUBLIC_CAPTCHA_AFTER = 100  # only the CAPTCHA tests lower it


# --- the client address ----------------------------------------------------------------------
@pytest.mark.parametrize("proxies,forwarded,expected", [
    (0, "198.51.100.1", "192.0.2.10"),  # no proxy: the header is the client's own text
    (1, "198.51.100.1", "198.51.100.1"),
    (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the spoofed hop on the left is ignored
    (2, "6.6.6.6, 198.51.100.1, 10.0.0.5", "198.51.100.1"),  # N hops from the right
    (2, "198.51.100.1", "192.0.2.10"),  # shorter than the proxy chain: not through the proxies
    (1, "not-an-ip", "192.0.2.10"),
])
def test_client_address_is_taken_n_hops_from_the_right(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_rotating_a_spoofed_forwarded_for_does_not_get_past_the_address_limit(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.COMPLAINT_PUBLIC_FORM_PER_HOUR = 3
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [client.post(URL, payload(i), HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Complaint.objects.count() == 3


def test_behind_the_proxy_the_limit_is_per_real_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.COMPLAINT_PUBLIC_FORM_PER_HOUR = 2
    via_proxy = Client(REMOTE_ADDR="10.0.0.2")
    attacker = [via_proxy.post(URL, payload(i), HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 203.0.113.9").status_code
                for i in range(3)]
    neighbour = via_proxy.post(URL, payload(9), HTTP_X_FORWARDED_FOR="198.51.100.7").status_code
    assert attacker == [302, 302, 429] and neighbour == 302


def test_one_mobile_is_limited_whatever_the_address(settings):
    settings.COMPLAINT_PUBLIC_FORM_PER_MOBILE_PER_DAY = 2
    codes = [Client(REMOTE_ADDR=f"198.51.100.{i}").post(URL, payload(1, content=f"第{i}次投诉:司机绕路。")).status_code
             for i in range(3)]
    assert codes == [302, 302, 429]
    assert Complaint.objects.count() == 2


def test_the_refusal_is_a_clear_chinese_page(settings):
    settings.COMPLAINT_PUBLIC_FORM_PER_HOUR = 0
    response = Client().post(URL, payload())
    assert response.status_code == 429 and "请稍后再试" in response.content.decode()


def test_when_the_cache_is_down_nothing_is_filed_and_the_page_says_try_later(settings):
    # A real Redis client pointed at a port where nothing listens: every cache call fails.
    settings.CACHES = {**settings.CACHES, "api": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    response = Client().post(URL, payload())
    assert response.status_code == 503 and "请稍后再试" in response.content.decode()
    assert not Complaint.objects.exists()
    status = Client().post("/public/complaints/status/", {"number": "TS2612-0001", "mobile": "13912345600"})
    assert status.status_code == 503


# --- the CAPTCHA -----------------------------------------------------------------------------
def _answer(page: str) -> dict:
    hashkey = page.split('name="captcha_0" value="')[1].split('"')[0]
    return {"captcha_0": hashkey, "captcha_1": CaptchaStore.objects.get(hashkey=hashkey).response}


def test_after_a_few_submissions_the_form_asks_for_a_captcha(settings):
    settings.COMPLAINT_PUBLIC_CAPTCHA_AFTER = 2
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert "captcha_1" not in client.get(URL).content.decode()
    client.post(URL, payload(0))
    client.post(URL, payload(1))
    page = client.get(URL).content.decode()
    assert 'name="captcha_1"' in page and "/public/captcha/image/" in page

    bot = client.post(URL, payload(2))  # a bot that does not read the picture
    wrong = client.post(URL, payload(3, captcha_0=_answer(page)["captcha_0"], captcha_1="999"))

    assert bot.status_code == 400 and wrong.status_code == 400
    assert Complaint.objects.count() == 2
    person = client.post(URL, payload(4, **_answer(wrong.content.decode())))
    assert person.status_code == 302 and Complaint.objects.count() == 3


def test_the_captcha_image_is_served_without_login(settings):
    settings.COMPLAINT_PUBLIC_CAPTCHA_AFTER = 0
    page = Client().get(URL).content.decode()
    image = page.split('src="/public/captcha/image/')[1].split('"')[0]
    response = Client().get(f"/public/captcha/image/{image}")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_anonymous_visitors_cannot_mint_challenges_without_the_form():
    before = CaptchaStore.objects.count()
    response = Client().get("/public/captcha/refresh/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code in (302, 404) and CaptchaStore.objects.count() == before


# --- double submission -----------------------------------------------------------------------
def test_the_same_text_from_the_same_mobile_is_filed_once():
    client = Client()
    first = client.post(URL, payload(mobile="+86 139 1234 5678"), follow=True)
    again = client.post(URL, payload(mobile="139-1234-5678"), follow=True)
    complaint = Complaint.objects.get()
    assert complaint.number in first.content.decode() and complaint.number in again.content.decode()
    assert "不会重复登记" in again.content.decode()


def test_another_text_from_the_same_mobile_is_a_new_complaint():
    client = Client()
    client.post(URL, payload(mobile="13912345678"))
    client.post(URL, payload(mobile="13912345678", content="另一件事:司机车内吸烟。"))
    assert Complaint.objects.count() == 2


def test_refreshing_the_thank_you_page_files_nothing():
    client = Client()
    response = client.post(URL, payload(), follow=True)
    for _ in range(3):
        assert client.get(response.redirect_chain[-1][0]).status_code == 200
    assert Complaint.objects.count() == 1


def test_the_thank_you_page_needs_a_submission_first():
    response = Client().get("/public/complaints/thanks/")
    assert response.status_code == 302 and response["Location"] == URL
