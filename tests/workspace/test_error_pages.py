"""Refused and missing pages speak Chinese in the admin's look, say what is missing and whom to ask."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import Team
from core.roles import Role
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_an_analyst_forcing_a_history_url_gets_the_styled_chinese_403_naming_the_permission(client):
    supervisor = StaffFactory(role=Role.CS_SUPERVISOR, last_name="林", first_name="晓峰")
    team = Team.objects.create(name="客服一组", supervisor=supervisor)
    StaffFactory(role=Role.GENERAL_MANAGER, last_name="周", first_name="建国")
    analyst = StaffFactory(role=Role.DATA_ANALYST, team=team)
    client.force_login(analyst)

    response = client.get(reverse("admin:core_team_add"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "您无权打开此页面" in page and "403 Forbidden" not in page
    assert "新增团队" in page and "core.add_team" in page  # the missing permission, in words and code
    assert "您的主管 林晓峰" in page and "总经理 周建国" in page  # whom to ask, by name, family name first
    assert 'id="header"' in page and "core/workspace.css" in page  # the admin's look, with its search box
    assert 'id="staff-search-q"' in page


def test_a_refusal_with_a_reason_shows_that_reason(client, rf):
    from django.core.exceptions import PermissionDenied

    from core.error_pages import permission_denied

    request = rf.get("/admin/")
    request.user = StaffFactory(role=Role.CS_AGENT)
    request.session = {}
    response = permission_denied(request, PermissionDenied("只有客服主管可以批准交接"))
    response.render()
    assert response.status_code == 403 and "只有客服主管可以批准交接" in response.content.decode()


def test_a_missing_admin_page_is_a_chinese_404_in_the_admin_look(client):
    client.force_login(StaffFactory(role=Role.CS_AGENT))
    response = client.get("/admin/customers/customer/999999999/change/x/")
    assert response.status_code in (302, 404)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and 'id="header"' in page


def test_a_server_error_is_a_chinese_page_that_needs_no_database(rf, django_assert_num_queries):
    from core.error_pages import server_error

    with django_assert_num_queries(0):
        page = server_error(rf.get("/admin/")).content.decode()
    assert "系统出错了" in page and "admin/css/base.css" in page


def test_a_server_error_through_the_stack_shows_the_chinese_page(settings, db):
    from django.urls import path

    def boom(request):
        raise RuntimeError("boom")

    import config.urls as root

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": [path("boom/", boom), *root.urlpatterns],
                                           "handler500": root.handler500})
    browser = Client(raise_request_exception=False)
    browser.force_login(StaffFactory(role=Role.CS_AGENT))
    response = browser.get("/boom/")
    assert response.status_code == 500 and "系统出错了" in response.content.decode()
