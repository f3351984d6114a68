import io

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("care_calendar", *args, stdout=out)
    return out.getvalue().splitlines()


def test_care_calendar_prints_the_default_occasions_of_2027():
    assert run("2027") == ["2027-02-06 春节", "2027-09-15 中秋节", "2027-10-01 国庆节"]


def test_care_calendar_2031_mid_autumn_falls_on_national_day():
    assert "2031-10-01 中秋节" in run("2031") and "2031-10-01 国庆节" in run("2031")


def test_care_calendar_refuses_a_year_outside_the_lunar_range():
    with pytest.raises(CommandError):
        run("2200")
