from django.urls import path

from . import (
    application_views,
    attachment_views,
    interview_views,
    invitation_views,
    plan_views,
    stats_views,
    views,
)

app_name = "interviews"
urlpatterns = [
    path("positions/", views.position_list, name="position_list"),
    # Item statistics read the organization's ratings, so they live here, not in apps.bank
    # (imports run bank <- interviews).
    path("statistics/items/", stats_views.item_statistics, name="item_statistics"),
    path("positions/new/", views.position_create, name="position_create"),
    path("positions/<int:pk>/", views.position_detail, name="position_detail"),
    path("positions/<int:pk>/edit/", views.position_edit, name="position_edit"),
    path("positions/<int:pk>/plan/", plan_views.position_plan, name="position_plan"),
    path("positions/<int:position_pk>/sessions/new/", views.session_create, name="session_create"),
    path(
        "positions/<int:position_pk>/sessions/preview/",
        interview_views.session_questions_preview,
        name="session_questions_preview",
    ),
    path(
        "positions/<int:position_pk>/invitations/new/",
        invitation_views.invitation_create,
        name="invitation_create",
    ),
    path("invitations/<int:pk>/link/", invitation_views.invitation_link, name="invitation_link"),
    path(
        "invitations/<int:pk>/resend/", invitation_views.invitation_resend, name="invitation_resend"
    ),
    path(
        "invitations/<int:pk>/revoke/", invitation_views.invitation_revoke, name="invitation_revoke"
    ),
    path("candidates/", views.candidate_list, name="candidate_list"),
    path("candidates/new/", views.candidate_create, name="candidate_create"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/edit/", views.candidate_edit, name="candidate_edit"),
    path("mine/", views.my_sessions, name="my_sessions"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/schedule/", views.session_schedule, name="session_schedule"),
    path("sessions/<int:pk>/assign/", views.session_assign, name="session_assign"),
    path("sessions/<int:pk>/scorecard/", views.scorecard, name="scorecard"),
    path("sessions/<int:pk>/scorecard/autosave/", views.scorecard_autosave, name="autosave"),
    path(
        "sessions/<int:pk>/scorecard/live/",
        interview_views.interview_mode,
        name="interview_mode",
    ),
    path(
        "sessions/<int:pk>/scorecard/prep/", interview_views.interview_prep, name="interview_prep"
    ),
    path(
        "sessions/<int:pk>/scorecards/<int:scorecard_pk>/correct/",
        views.scorecard_correct,
        name="scorecard_correct",
    ),
    path("sessions/<int:pk>/debrief/", views.debrief, name="debrief"),
    path("answers/<int:pk>/file/", attachment_views.answer_attachment, name="answer_attachment"),
    path(
        "applications/<int:pk>/",
        application_views.application_detail,
        name="application_detail",
    ),
    path(
        "applications/<int:pk>/decide/",
        application_views.application_decide,
        name="application_decide",
    ),
    path(
        "applications/<int:pk>/next-stage/",
        application_views.application_next_stage,
        name="application_next_stage",
    ),
    path(
        "sessions/<int:pk>/answers/<int:answer_pk>/discussed/",
        application_views.answer_discussed,
        name="answer_discussed",
    ),
    path("sessions/<int:pk>/report/", views.report, name="report"),
]
