"""Serve the chart library through staticfiles without a CDN or npm: the ``django-chartjs`` package
(a PyPI dependency) ships ``Chart.min.js`` (Chart.js 2.9, MIT); this finder exposes exactly that file
as ``kpis/vendor/chart.min.js``, so collectstatic copies it and whitenoise serves it."""

import os
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

VENDOR_PATH = "kpis/vendor/chart.min.js"


def chartjs_source() -> Path | None:
    try:
        import chartjs
    except ImportError:
        return None
    path = Path(chartjs.__file__).resolve().parent / "static" / "js" / "Chart.min.js"
    return path if path.exists() else None


class _SingleFileStorage(FileSystemStorage):
    """Lets collectstatic open the file by its public name."""

    def __init__(self, source: Path):
        super().__init__(location=str(source.parent))
        self.source = source

    def path(self, name):
        return str(self.source)

    def open(self, name, mode="rb"):
        return super().open(self.source.name, mode)


class ChartJsFinder(BaseFinder):
    def check(self, **kwargs):
        from django.core.checks import Warning

        if chartjs_source() is None:
            return [Warning("django-chartjs is not installed: the KPI dashboard's charts cannot draw.",
                            id="kpis.W001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        source = chartjs_source()
        if source is None or path != VENDOR_PATH:
            return [] if find_all else None
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        source = chartjs_source()
        if source is not None:
            storage = _SingleFileStorage(source)
            storage.prefix = os.path.dirname(VENDOR_PATH)
            yield os.path.basename(VENDOR_PATH), storage
