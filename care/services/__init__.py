"""Every write of customer care. Keyword-only, atomic, raising ``care.errors.CareError``.

For other apps (complaints keeps complainants informed through it):

    from care.services import message_enqueue
    message_enqueue(customer=c, body="您的投诉 TS2611-0007 已受理…", purpose="complaint",
                    dedupe_key="complaint:TS2611-0007:acknowledged")

puts a one-off message in the outbox; a worker delivers it through the channel backend
(``channel`` = "sms" default, "email" or "push"), outside quiet hours, with retries. It is a service
message: marketing consent is not required unless ``marketing=True``. With a ``dedupe_key`` it is
idempotent (one message per customer and key). Anonymised customers raise ``CareError``.

    from care.services import callback_schedule_after_complaint
    callback_schedule_after_complaint(customer=c, complaint_ref="TS2611-0007", order=o)

puts a follow-up callback on the owner's list (or the team queue), once per complaint; when the
agent records it as reached with a satisfaction, the order gets a review (source = callback) if it
has none.
"""

from care.services.agent_messages import message_send_from_template, message_template_render  # noqa: F401
from care.services.anniversaries import anniversary_customers, anniversary_greetings_enqueue  # noqa: F401
from care.services.callbacks import (  # noqa: F401
    callback_schedule_after_complaint,
    callback_take,
    callbacks_schedule_due,
    review_from_callback,
)
from care.services.greetings import (  # noqa: F401
    birthday_customers,
    birthday_greetings_enqueue,
    greetable_customers,
    holiday_greetings_enqueue,
    occasion_enqueue,
    occasions_in_window,
)
from care.services.messages import (  # noqa: F401
    DeliveryResult,
    in_quiet_hours,
    message_deliver,
    message_enqueue,
    message_resend,
    messages_dispatch_due,
    messages_scrub_for_anonymised,
    next_send_time,
)
from care.services.notices import handover_notices_enqueue  # noqa: F401
from care.services.scripts import (  # noqa: F401
    callback_guides,
    callback_script_for,
    checklist_answers_record,
)
