from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("System")

    def ready(self):
        from core.names import install_user_str
        from core.roles import sync_roles_after_migrate

        install_user_str()

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="core.sync_roles")
