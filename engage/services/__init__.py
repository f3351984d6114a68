"""Every write of engagement. Keyword-only, atomic, raising ``engage.errors.EngageError``; every
message to a customer goes through care's outbox (``care.services.message_enqueue``)."""

from engage.services.campaigns import (  # noqa: F401
    campaign_cancel,
    campaign_message_counts,
    campaign_preview,
    campaign_schedule,
)
from engage.services.events import (  # noqa: F401
    event_attendance_mark,
    event_invitation_from_token,
    event_invite,
    event_respond,
    rsvp_link,
)
from engage.services.surveys import (  # noqa: F401
    SendResult,
    invitation_from_token,
    survey_answer,
    survey_comments_scrub,
    survey_link,
    survey_send,
)
