"""Customer exports: permission, escaping and the export record in one service."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.db_routing import replica_reads
from core.models import ExportRecord
from core.services import export_record
from core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, safe_dataset
from customers.access_scope import scope_customers
from customers.errors import NotAllowed

EXPORT_PERMISSION = "customers.export_customer"


@dataclass(frozen=True)
class ExportFile:
    content: bytes | str
    content_type: str
    extension: str
    row_count: int


def user_can_export_customers(user) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(EXPORT_PERMISSION))


def customers_export(*, actor, queryset, fmt: str, query: str = "") -> ExportFile:
    """The customers of ``queryset`` as CSV or XLSX, as ``actor`` may see them (the resource masks
    per role), every text cell escaped against formula injection, and one ExportRecord written.
    Raises NotAllowed without ``customers.export_customer``."""
    from customers.resources import CustomerExportResource

    if not user_can_export_customers(actor):
        raise NotAllowed(_("You are not allowed to export customers."))
    if fmt not in ExportRecord.Format.values:
        raise NotAllowed(_("Unknown export format."), field="format")
    queryset = scope_customers(actor, queryset)  # issue 17 item 20: only the customers the actor may see
    resource = CustomerExportResource(user=actor)
    with replica_reads():  # the read replica when there is one (core.db_routing); the record below: primary
        dataset = safe_dataset(resource.export(queryset=queryset.select_related("owner").prefetch_related("tags")))
    dataset.title = _("Customers")  # the sheet's name (tablib's default is "Tablib Dataset")
    # tablib writes the cells as they are (safe_dataset has escaped the text already); going through
    # django-import-export's formats would turn every cell into text (its formula escaping), so Excel
    # would see times and numbers as strings.
    if fmt == ExportRecord.Format.XLSX:
        file = ExportFile(dataset.export("xlsx"), XLSX_CONTENT_TYPE, "xlsx", len(dataset))
    else:
        # A BOM so that Excel opens the Chinese text correctly.
        file = ExportFile("\ufeff" + dataset.export("csv"), CSV_CONTENT_TYPE, "csv", len(dataset))
    export_record(user=actor, kind=ExportRecord.Kind.CUSTOMERS, fmt=fmt, row_count=file.row_count, query=query)
    return file
