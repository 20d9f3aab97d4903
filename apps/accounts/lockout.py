"""What a locked-out login sees (django-axes calls ``locked_out`` through AXES_LOCKOUT_CALLABLE).

The page says plainly that the account is locked, for how long, and who can unlock it, so a
person who mistyped does not keep trying a right password that is refused anyway.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
