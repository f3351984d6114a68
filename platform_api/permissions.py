"""Who may call an API view.

- ``IsPlatform``: only a platform's API key (writes such as pushing orders).
- ``IsStaff``: only an active staff user (the project's default: a view must opt in to platforms).
- ``IsPlatformOrStaffReader`` (alias ``IsPlatformOrStaff``): a platform, or a staff user reading
  (GET/HEAD/OPTIONS) who holds every permission in the view's ``staff_permissions``
  (e.g. ``("customers.view_order",)``). Staff never write through the platform API.

Scoping (a platform sees only its own data) is the view's job; see ``platform_api.scoping``.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from platform_api.auth import platform_of


def _is_staff(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active and user.is_staff
                and platform_of_user(user) is None)


def platform_of_user(user):
    return getattr(user, "platform", None)


class IsPlatform(BasePermission):
    def has_permission(self, request, view):
        return platform_of(request) is not None


class IsStaff(BasePermission):
    def has_permission(self, request, view):
        return _is_staff(request.user)


class IsStaffReader(BasePermission):
    """A staff user reading, with the view's ``staff_permissions``."""

    def has_permission(self, request, view):
        if request.method not in SAFE_METHODS or not _is_staff(request.user):
            return False
        return request.user.has_perms(getattr(view, "staff_permissions", ()))


class IsPlatformOrStaffReader(BasePermission):
    def has_permission(self, request, view):
        if platform_of(request) is not None:
            return True
        return IsStaffReader().has_permission(request, view)


IsPlatformOrStaff = IsPlatformOrStaffReader
