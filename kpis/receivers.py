"""kpis's receivers: its sections of the staff start page (core.inbox)."""


def connect() -> None:
    """Called once, from the app's AppConfig.ready."""
    from core import inbox
    from kpis.inbox import kpi_sections

    inbox.register_provider(kpi_sections)
