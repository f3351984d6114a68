"""The complaints admin: intake, the complaint page with its workflow panel, the supervisor queue,
the monthly analysis with Excel export, drivers' complaint history and the reference rows."""

from complaints.admin import analysis, complaint, reference  # noqa: F401
