from customers.models.access import CustomerAccessRequest
from customers.models.anniversary import AnniversaryKind, CustomerAnniversary
from customers.models.api import IdempotencyRecord, IngestionDay, RejectedPayload
from customers.models.contact import ContactLog, Inquiry
from customers.models.customer import Customer, Driver, Place, ServiceNeed, Tag
from customers.models.governance import (
    CustomerMerge,
    DeletionRequest,
    Handover,
    KeyFieldChange,
    OwnershipChange,
    PoolRequest,
    ProfileReview,
    SensitiveAccess,
)
from customers.models.orders import Order, OrderEvent, PhoneOrder, Rating, Review
from customers.models.platform import Platform, PlatformAccount, PlatformAPIKey

__all__ = [
    "AnniversaryKind", "CustomerAccessRequest", "CustomerAnniversary",
    "ContactLog", "Customer", "CustomerMerge", "DeletionRequest", "Driver", "Handover", "IdempotencyRecord",
    "IngestionDay", "Inquiry", "KeyFieldChange", "Order", "OrderEvent", "OwnershipChange", "PhoneOrder", "Place",
    "PoolRequest", "ProfileReview",
    "Platform", "PlatformAPIKey",
    "PlatformAccount", "Rating", "RejectedPayload", "Review", "SensitiveAccess", "ServiceNeed", "Tag",
]
