"""Paginating huge tables without a full COUNT(*) (which is nearly all of a slow changelist's time)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from customers.selectors import estimated_row_count


class LargeTablePaginator(Paginator):
    """Unfiltered list on PostgreSQL: the planner's row estimate (``pg_class.reltuples``), once the
    table is larger than ``ADMIN_EXACT_COUNT_LIMIT``. Filtered (or small) lists: an exact count of
    at most ``ADMIN_EXACT_COUNT_LIMIT + 1`` rows (``SELECT COUNT(*) FROM (… LIMIT n)``), shown as
    "N+" when capped. ``is_estimate`` / ``is_capped`` tell the pagination template which."""

    is_estimate = False
    is_capped = False

    @cached_property
    def count(self):
        limit = settings.ADMIN_EXACT_COUNT_LIMIT
        qs = self.object_list
        if not qs.query.where:
            estimate = estimated_row_count(qs.model)
            if estimate is not None and estimate > limit:
                self.is_estimate = True
                return estimate
        counted = qs.order_by().select_related(None)[: limit + 1].count()
        if counted > limit:
            self.is_capped = True
            return limit
        return counted
