"""How personal data is shown to people who may not see it whole. One place, used by the admin,
exports and the API."""


def mask_mobile(mobile: str | None) -> str:
    """``13800138000`` → ``138****8000``."""
    if not mobile:
        return ""
    digits = str(mobile)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_number(id_number: str | None) -> str:
    """``110101199003071234`` → ``**************1234``: the last 4 characters only. The first 6 are the
    region and 7–14 the birth date, so any more would make the number (with the birth date) nearly
    reconstructable."""
    if not id_number:
        return ""
    return "*" * max(len(id_number) - 4, 0) + id_number[-4:]


def mask_birthday(birthday) -> str:
    """``1990-03-07`` → ``03-07``: month and day only (what care needs), never the year."""
    if not birthday:
        return ""
    return f"{birthday.month:02d}-{birthday.day:02d}"


def mask_name(name: str | None) -> str:
    """``张伟`` → ``张*``; ``欧阳娜娜`` → ``欧***``."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)
