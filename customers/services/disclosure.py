"""What a duplicate check may tell its user about the customer it found.

Entering a mobile or an ID number that already belongs to a customer is also a way to ask "whose is
this?". The answer names (and links) the existing customer only for a user who may see that field
whole: ``customers.view_full_mobile`` for a mobile, ``customers.view_sensitive`` for an ID number.
Everyone else learns only that a customer has it. Telling a privileged user whose ID number it is
counts as a reveal, so it writes an access record (SensitiveAccess) like the reveal button does.
"""

from django.utils.translation import gettext

from customers import privacy
from customers.errors import DuplicateCustomer
from customers.models import Customer, SensitiveAccess


def duplicate_disclose(*, duplicate: DuplicateCustomer, user, where: str) -> Customer | None:
    """The existing customer if ``user`` may be told who it is, else None. ``where`` says which check
    it was (kept in the access record's reason, e.g. "admin form", "import dry run").

    Call it outside any transaction that will be rolled back (an admin form's dry run, an import's
    dry run), or the access record is rolled back with it."""
    existing = duplicate.existing
    if duplicate.field == "id_number":
        if not privacy.can_see_sensitive(user):
            return None
        SensitiveAccess.objects.create(
            customer=existing, user=user, field=SensitiveAccess.Field.ID_NUMBER,
            reason=(gettext("Duplicate ID number check (%(where)s)") % {"where": where})[:200])
        return existing
    return existing if privacy.can_see_full_mobile(user) else None
