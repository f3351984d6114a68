import pytest


@pytest.fixture(autouse=True)
def complaint_reference_rows(request):
    """Grades and categories present in every database test of this package: a transactional test
    of another app flushes the tables of data migrations (see factories.ensure_reference_rows)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
        from tests.complaints.factories import ensure_reference_rows

        ensure_reference_rows()
    yield
