"""The item statistics page: how each question performs in the organization's own interviews
(admins and recruiters; interviewers and other tenants get 404), with the SCORING.md flags in
words and, on the organization's own questions, the way to act on a flag (retire, or open a
new version). Figures come from ``apps.interviews.item_stats``; a constant number of queries.
"""

from django import forms
from django.shortcuts import render

from apps.accounts.models import MANAGER_ROLES
from apps.accounts.tenancy import role_required
from apps.bank.models import Competency, Level, Track

from . import item_stats


class StatisticsFilterForm(forms.Form):
    track = forms.ChoiceField(label="Track", required=False)
    level = forms.TypedChoiceField(label="Level", required=False, coerce=int, empty_value=None)
    competency = forms.ChoiceField(label="Competency", required=False)
    flagged = forms.BooleanField(label="Flagged only", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].choices = [
            ("", "Any track"),
            *[(t.key, t.name) for t in Track.objects.all()],
            ("core", "Core"),
        ]
        self.fields["level"].choices = [
            ("", "Any level"),
            *[(lv.number, str(lv)) for lv in Level.objects.all()],
        ]
        self.fields["competency"].choices = [
            ("", "Any competency"),
            *[(c.key, c.name) for c in Competency.objects.all()],
        ]


@role_required(MANAGER_ROLES)
def item_statistics(request):
    form = StatisticsFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {
            "track": d["track"],
            "level": d["level"],
            "competency": d["competency"],
            "flagged_only": d["flagged"],
        }
    rows = item_stats.item_statistics(request.organization, **filters)
    return render(
        request,
        "bank/item_statistics.html",
        {
            "form": form,
            "rows": rows,
            "provisional_under": item_stats.engine_items.PROVISIONAL_UNDER,
            "category_min_uses": item_stats.engine_items.CATEGORY_MIN_USES,
        },
        status=400 if form.errors else 200,
    )
