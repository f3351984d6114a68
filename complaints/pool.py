"""What the customers' public-pool rules need from complaints (registered in receivers.connect()):
who was assigned a customer's complaints in a period, and which complaints are still not handled."""

from complaints.models import Complaint


def complaint_service_events(start, end):
    """(customer, assignee) of each complaint received in [start, end) with both set."""
    return (Complaint.objects.filter(received_at__gte=start, received_at__lt=end, customer__isnull=False,
                                     assignee__isnull=False).values_list("customer_id", "assignee_id"))


def complaints_unhandled(received_before):
    """Complaints received before ``received_before`` and still unresolved (not handled): (customer, number)."""
    return (Complaint.objects.filter(received_at__lt=received_before, customer__isnull=False,
                                     resolved_at__isnull=True, status__in=Complaint.UNRESOLVED_STATUSES)
            .values_list("customer_id", "number"))
