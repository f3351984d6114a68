"""Re-encrypting ID numbers under the newest key."""


from django.db import transaction

from core import crypto
from customers.models import Customer, KeyFieldChange


def encryption_keys_rotate(*, batch_size: int = 1000) -> int:
    """Re-encrypt every ID number under the newest key (MultiFernet.rotate), in batches. Old keys can
    be dropped from FIELD_ENCRYPTION_KEYS afterwards. Safe to rerun."""
    done = 0
    last_pk = 0
    while True:
        rows = list(
            Customer.objects.filter(pk__gt=last_pk).exclude(id_number_encrypted="")
            .order_by("pk").values_list("pk", "id_number_encrypted")[:batch_size]
        )
        if not rows:
            return done + _rotate_pending_key_changes()
        with transaction.atomic():
            for pk, token in rows:
                Customer.objects.filter(pk=pk).update(id_number_encrypted=crypto.rotate(token))
        done += len(rows)
        last_pk = rows[-1][0]


def _rotate_pending_key_changes() -> int:
    """New ID numbers waiting in key-field change requests (cleared once decided)."""
    rows = list(KeyFieldChange.objects.exclude(id_number_encrypted="").values_list("pk", "id_number_encrypted"))
    with transaction.atomic():
        for pk, token in rows:
            KeyFieldChange.objects.filter(pk=pk).update(id_number_encrypted=crypto.rotate(token))
    return len(rows)
