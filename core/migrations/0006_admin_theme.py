"""The company's admin theme (django-admin-interface): one active row, editable under 系统设置 → 主题."""

from django.db import migrations

THEME = {
    "name": "安心代驾",
    "title": "",  # the site header (安心代驾 · 客户管理系统) is the admin site's, translated
    "title_visible": True,
    "logo_visible": False,
    "language_chooser_active": False,  # the header has its own language form
    "css_header_background_color": "#1F3A4D",
    "css_header_text_color": "#E8EEF3",
    "css_header_link_color": "#FFFFFF",
    "css_header_link_hover_color": "#F5DD5D",
    "title_color": "#F5DD5D",
    "css_module_background_color": "#2B6A8C",
    "css_module_background_selected_color": "#FFF7D6",
    "css_module_text_color": "#FFFFFF",
    "css_module_link_color": "#FFFFFF",
    "css_module_link_selected_color": "#FFFFFF",
    "css_module_link_hover_color": "#F5DD5D",
    "css_module_rounded_corners": True,
    "css_generic_link_color": "#1F6FA8",
    "css_generic_link_hover_color": "#0E4C78",
    "css_generic_link_active_color": "#0E4C78",
    "css_save_button_background_color": "#2B6A8C",
    "css_save_button_background_hover_color": "#1F3A4D",
    "css_save_button_text_color": "#FFFFFF",
    "css_delete_button_background_color": "#BA2121",
    "css_delete_button_background_hover_color": "#A41515",
    "css_delete_button_text_color": "#FFFFFF",
    # The related-object modal opens the admin in an iframe; our pages refuse to be framed (CSP
    # frame-ancestors 'none', X-Frame-Options DENY), so the plain pop-up window stays.
    "related_modal_active": False,
    "list_filter_dropdown": True,
    "list_filter_highlight": True,
    "list_filter_sticky": True,
    "list_filter_removal_links": True,
    "foldable_apps": True,
    "recent_actions_visible": False,
    "form_submit_sticky": True,
    "form_pagination_sticky": True,
    "env_visible_in_header": False,
    "env_visible_in_favicon": False,
}


def install_theme(apps, schema_editor):
    Theme = apps.get_model("admin_interface", "Theme")
    Theme.objects.exclude(name=THEME["name"]).update(active=False)
    Theme.objects.update_or_create(name=THEME["name"], defaults={**THEME, "active": True})


def remove_theme(apps, schema_editor):
    apps.get_model("admin_interface", "Theme").objects.filter(name=THEME["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_staffprofile_id_number"),
        ("admin_interface", "0032_alter_theme_defaults"),
    ]
    operations = [migrations.RunPython(install_theme, remove_theme)]
