"""Paging the work lists (callbacks due, the overdue queue): a page of rows, links that keep the
list's other query parameters (filters), and a paginator that is told the count it already has."""

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    """A paginator told the count (taken with other figures in one query), so it does not COUNT again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self):
        return self.known_count


def page_links(request, page, *, param: str = "p") -> list[tuple[int | None, str]]:
    """(number, "?query") for the page links around ``page``; ``None`` stands for an ellipsis. The
    request's other parameters (filters, sort) are kept."""
    params = request.GET.copy()
    links = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            links.append((None, ""))
            continue
        params[param] = number
        links.append((number, f"?{params.urlencode()}"))
    return links
