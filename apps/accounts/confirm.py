"""Destructive actions ask first: a confirmation page with a required checkbox.

No JavaScript ``confirm()``: the server refuses the action unless the POST carries
``confirm=yes``. A GET of the action's URL shows the question; a POST without the tick shows
it again with a 400 and an error naming the checkbox, and changes nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

FIELD = "confirm"


def confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(FIELD) == "yes"


def ask(
    request: HttpRequest, *, title: str, question: str, action: str, back_url: str
) -> HttpResponse:
    """The confirmation page (400 when a POST came without the tick)."""
    refused = request.method == "POST"
    return render(
        request,
        "confirm.html",
        {
            "title": title,
            "question": question,
            "action": action,
            "back_url": back_url,
            "error": "Confirm: tick the box to go ahead." if refused else "",
        },
        status=400 if refused else 200,
    )
