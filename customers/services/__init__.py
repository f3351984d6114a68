"""Every write of the customers app. Functions are keyword-only, atomic, and raise CustomerError."""

from customers.services.callbacks import callback_outcome_record, callback_schedule, callbacks_cancel  # noqa: F401
from customers.services.contacts import contact_record  # noqa: F401
from customers.services.customers import (  # noqa: F401
    customer_create,
    customer_profile_checked,
    customer_refresh_order_dates,
    customer_reveal_sensitive,
    customer_set_id_number,
    customer_update,
    key_change_needs_review,
    user_can_edit_key_fields,
)
from customers.services.deletion import (  # noqa: F401
    customer_anonymise,
    deletion_request_create,
    deletion_request_decide,
)
from customers.services.disclosure import duplicate_disclose  # noqa: F401
from customers.services.encryption import encryption_keys_rotate  # noqa: F401
from customers.services.events import order_events_emit, order_events_process  # noqa: F401
from customers.services.exports import customers_export, user_can_export_customers  # noqa: F401
from customers.services.key_changes import (  # noqa: F401
    key_change_decide,
    key_change_withdraw,
    user_can_review_key_change,
)
from customers.services.merging import customer_merge  # noqa: F401
from customers.services.ownership import (  # noqa: F401
    customer_assign_owner,
    customer_release_to_pool,
    dormancy_sweep,
    handover_approve,
    handover_cancel,
    handover_confirm,
    handover_reject,
    handover_request,
)
