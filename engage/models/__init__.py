from engage.models.campaigns import Campaign, CampaignKind, CampaignTemplate  # noqa: F401
from engage.models.events import AppreciationEvent, EventInvitation  # noqa: F401
from engage.models.segments import Segment  # noqa: F401
from engage.models.surveys import Question, Questionnaire, SurveyAnswer, SurveyInvitation  # noqa: F401
