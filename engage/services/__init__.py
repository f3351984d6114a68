"""Every write of engagement. Keyword-only, atomic, raising ``engage.errors.EngageError``; every
message to a customer goes through care's outbox (``care.services.message_enqueue``)."""

from engage.services.surveys import (  # noqa: F401
    SendResult,
    invitation_from_token,
    survey_answer,
    survey_link,
    survey_send,
)
