from complaints.models.analysis import AnalysisMonth, Cause, ImprovementAction
from complaints.models.complaint import Attachment, Complaint, ComplaintCounter, TimelineEntry
from complaints.models.reference import Category, Channel, Grade, Responsibility
from complaints.models.remedies import DriverAction, DriverScoreDeduction, Remedy
from complaints.models.routing import Macro, RoutingRule

__all__ = [
    "AnalysisMonth", "Cause", "ImprovementAction",
    "Attachment", "Category", "Channel", "Complaint", "ComplaintCounter", "DriverAction", "DriverScoreDeduction",
    "Grade", "Macro", "Remedy", "RoutingRule", "Responsibility", "TimelineEntry",
]
