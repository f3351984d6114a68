"""Django admin's own page titles and buttons, written the way Chinese UI text is written.

Django's zh_Hans catalogue puts a space between Chinese words and the model's name ("修改 投诉",
"选择 客户 来修改"). Marking the same msgids here puts them into our catalogue, which Django reads
before its own (``LOCALE_PATHS``), so the titles read "修改投诉", "选择要修改的客户". Nothing calls
this module at run time; ``makemessages`` reads it.
"""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_MSGIDS = [
    gettext_noop("Add %s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    gettext_noop("Select %s"),
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    gettext_noop("Add %(name)s"),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("Cannot delete %(name)s"),
]
