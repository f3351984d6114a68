"""The forms of the appraisal admin: sampling, scoring a QA review, a month to compute, a
self-assessment, a notice, a sign-off."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appraisal import rules, selectors
from appraisal.models import Notice, SelfAssessment
from core.dates import parse_month
from core.models import Team


class MonthField(forms.CharField):
    """A month picked in a month input (``YYYY-MM``), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Use YYYY-MM.")) from exc
        return dt.date(year, month, 1)

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, dt.date) else value


def last_month() -> dt.date:
    return rules.previous_month(timezone.localdate())


class MonthForm(forms.Form):
    month = MonthField(label=_("month"))


class SampleForm(forms.Form):
    month = MonthField(label=_("month"))
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none(), required=False,
                                  empty_label=_("All the agents I appraise"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agents = selectors.agents_appraisable_by(user)
        self.fields["team"].queryset = Team.objects.filter(members__user__in=agents).distinct().order_by("name")
        self.user = user

    def agents(self):
        agents = selectors.agents_appraisable_by(self.user)
        team = self.cleaned_data.get("team")
        return list(agents.filter(staff_profile__team=team) if team else agents)


class ScoreForm(forms.Form):
    """One radio row (0–5) per checklist item that applies, then the comment."""

    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items, initial_points: dict[int, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, str(n)) for n in range(rules.QA_POINTS_MAX + 1)]
        self.items = items
        fields = {}
        for item in items:
            label = _("%(item)s (weight %(weight)s)") % {"item": item.text, "weight": item.weight}
            fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=label, help_text=item.guidance, choices=choices, coerce=int, widget=forms.RadioSelect,
                initial=(initial_points or {}).get(item.pk))
        self.fields = {**fields, "comment": self.fields["comment"]}

    def points(self) -> dict[int, int]:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}


class SignOffForm(forms.Form):
    note = forms.CharField(label=_("supervisor's comment"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SelfAssessmentForm(forms.ModelForm):
    month = forms.TypedChoiceField(label=_("month"), coerce=dt.date.fromisoformat)

    class Meta:
        model = SelfAssessment
        fields = ["month", "score", "text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        months = rules.self_assessment_months(timezone.localdate())
        if self.instance.pk and self.instance.month not in months:
            months.append(self.instance.month)
        self.fields["month"].choices = [(m.isoformat(), f"{m:%Y-%m}") for m in months]
        self.fields["score"].widget.attrs.update({"min": 0, "max": 100})


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["agent", "kind", "reason", "amount", "points", "complaint"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("reason for rejection"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("reason for reopening"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))
