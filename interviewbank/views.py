"""Project-level pages that compose several apps (apps never import this package)."""

from django.shortcuts import render

from apps.accounts.tenancy import member_required
from apps.bank.selectors import bank_summary


@member_required
def home(request):
    return render(request, "home.html", {"summary": bank_summary(request.organization)})
