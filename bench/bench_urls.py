"""The project's URLs plus one bare view, the baseline for bench/autosave.py.

``POST /bench/bare/<answer_id>/`` takes the same form fields as the take-home autosave
(``text``, ``version``) and does only the compare-and-swap UPDATE at the heart of
``invitations.answer_save``: no session, no invitation lookup, no deadline checks.
"""

from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.interviews.models import Answer
from interviewbank.urls import urlpatterns as base


@csrf_exempt
@require_POST
def bare_save(request: HttpRequest, answer_id: int) -> JsonResponse:
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return JsonResponse({"ok": False}, status=400)
    updated = Answer.objects.filter(pk=answer_id, version=version).update(
        text=request.POST.get("text", ""), version=F("version") + 1
    )
    if not updated:  # not the success path: one more query to tell the client where it is
        current = Answer.objects.filter(pk=answer_id).values_list("version", flat=True).first()
        if current is None:
            return JsonResponse({"ok": False}, status=404)
        return JsonResponse({"ok": False, "version": current}, status=409)
    return JsonResponse({"ok": True, "version": version + 1})


urlpatterns = [
    *base,
    path("bench/bare/<int:answer_id>/", bare_save, name="bench-bare"),
]
