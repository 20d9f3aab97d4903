"""Project-level pages that compose several apps (apps never import this package)."""

from django.shortcuts import render

from apps.accounts.tenancy import member_required
from apps.bank.selectors import bank_summary
from apps.interviews.selectors import home_todo, is_manager


@member_required
def home(request):
    """Each role's home is a to-do list first (scorecards due, answers in, debriefs ready, links
    about to expire, take-homes nobody is assigned to), then the bank's summary."""
    todo = home_todo(request.user, request.organization)
    return render(
        request,
        "home.html",
        {
            "todo": todo,
            "nothing_to_do": not any(todo.values()),
            "is_manager": is_manager(request.user, request.organization),
            "summary": bank_summary(request.organization),
        },
    )
