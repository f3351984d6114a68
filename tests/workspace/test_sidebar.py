"""The sidebar is grouped by work and shows each role only what its permissions open; configuration
sits under 系统设置, away from the agents."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from config.navigation import STAFF_NAVIGATION
from core.roles import Role

from .conftest import login_as

pytestmark = pytest.mark.django_db


def sidebar(client, url="/admin/") -> dict[str, list[str]]:
    html = client.get(url).content.decode()
    nav = html[html.index('id="nav-sidebar"'):html.index("</nav>", html.index('id="nav-sidebar"'))]
    groups = {}
    for block in nav.split('class="module work-group"')[1:]:
        title = re.search(r"<summary>(.*?)</summary>", block).group(1)
        groups[title] = re.findall(r'<th scope="row"><a href="[^"]*"[^>]*>(.*?)</a>', block)
    return groups


def test_an_agent_sees_the_work_groups_and_configuration_only_folded_under_settings(client):
    agent = login_as(client, Role.CS_AGENT)
    groups = sidebar(agent)
    assert list(groups) == ["工作台", "客户", "订单", "投诉", "会员与积分", "关怀", "考核", "报表", "系统设置"]
    assert {"我的工作台", "我的回访"} <= set(groups["工作台"]) and "客户" in groups["客户"]
    work_items = [item for title, items in groups.items() if title != "系统设置" for item in items]
    for config in ("等级规则", "平台", "平台API密钥", "投诉等级", "投诉类别", "关怀节日"):
        assert config not in work_items and config in groups["系统设置"]  # read-only for agents, folded away
    assert not any(x in groups["系统设置"] for x in ("周期性任务", "用户", "组", "团队", "主题"))  # no such permission
    html = agent.get("/admin/").content.decode()
    assert re.search(r'<details class="module work-group" data-group="系统设置">', html)  # folded
    assert re.search(r'<details class="module work-group" data-group="投诉" open>', html)


def test_the_general_manager_finds_schedules_users_and_the_dashboard(client):
    groups = sidebar(login_as(client, Role.GENERAL_MANAGER))
    assert {"等级规则", "平台", "周期性任务", "用户", "组", "团队", "主题"} <= set(groups["系统设置"])
    assert "数据看板" in groups["报表"]


def test_an_agent_sees_no_dashboard_and_no_export_records(client):
    groups = sidebar(login_as(client, Role.CS_AGENT))
    assert "数据看板" not in groups["报表"] and "导出记录" not in groups["报表"]


def test_a_user_without_permissions_sees_only_the_start_page(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    assert sidebar(client) == {"工作台": ["我的工作台"]}


def test_the_settings_group_opens_when_one_of_its_pages_is_shown(client):
    manager = login_as(client, Role.GENERAL_MANAGER)
    html = manager.get(reverse("admin:loyalty_tierrule_changelist")).content.decode()
    assert '<details class="module work-group" data-group="系统设置" open>' in html
    assert 'aria-current="page">等级规则<' in html


def test_an_item_links_only_to_a_page_the_user_may_open(client):
    agent = login_as(client, Role.CS_AGENT)
    html = agent.get("/admin/").content.decode()
    nav = html[html.index('id="nav-sidebar"'):]
    for url in re.findall(r'<th scope="row"><a href="([^"]*)"', nav[:nav.index("</nav>")]):
        assert agent.get(url).status_code in (200, 302), url


def test_the_sidebar_is_on_every_admin_page_including_the_start_page(client):
    agent = login_as(client, Role.CS_AGENT)
    for url in ("/admin/", reverse("admin:customers_customer_changelist"), "/admin/search/?q=x"):
        assert sidebar(agent, url)["工作台"], url


def test_every_registered_model_has_a_place_in_the_menu():
    placed = {spec["model"] for group in STAFF_NAVIGATION for spec in group["items"] if "model" in spec}
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert registered - placed == set()  # a new model: put it in the group where its work is


def test_every_page_wears_the_company_theme_and_the_gm_edits_it_in_chinese(client):
    """The theme (django-admin-interface) is a data row: its colours reach the page's CSS variables,
    and a change made by the GM under 系统设置 → 主题 shows on the next page."""
    from admin_interface.models import Theme

    gm = login_as(client, Role.GENERAL_MANAGER)
    page = gm.get("/admin/").content.decode()
    theme = Theme.objects.get(active=True)
    assert theme.name == "安心代驾" and "admin-interface" in page
    assert f"--admin-interface-header-background-color: {theme.css_header_background_color}" in page
    form = gm.get(reverse("admin:admin_interface_theme_change", args=[theme.pk])).content.decode()
    assert "页头" in form and "背景色" in form and ">Header<" not in form and ">background color" not in form
    Theme.objects.filter(pk=theme.pk).update(css_header_background_color="#123456")
    from admin_interface.cache import del_cached_active_theme

    del_cached_active_theme()
    assert "--admin-interface-header-background-color: #123456" in gm.get("/admin/").content.decode()
