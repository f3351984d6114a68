"""How a member of staff is named on every screen, list, dropdown, export and ranking: family name
then given name with no space, as colleagues say it (汤雨婷, not "雨婷 汤"), else the login name; never
a raw user id. ``CoreConfig.ready`` makes it ``str(user)``, so Django's own dropdowns, autocompletes
and foreign-key columns follow without each form choosing a label."""

EMPTY = "—"


def name_from_parts(last_name: str | None, first_name: str | None, username: str | None = "") -> str:
    """The display name from a ``.values()`` row's parts (reports that group in SQL)."""
    full = f"{(last_name or '').strip()}{(first_name or '').strip()}"
    return full or (username or "")


def person_name(user, empty: str = EMPTY) -> str:
    """``汤雨婷``, or the login when no name is recorded, or ``empty`` for no user."""
    if user is None:
        return empty
    return name_from_parts(user.last_name, user.first_name, user.get_username()) or empty


def install_user_str() -> None:
    """``str(user)`` → ``person_name(user)`` (the auth app's User keeps its table and model)."""
    from django.contrib.auth import get_user_model

    get_user_model().__str__ = lambda self: person_name(self)
