from django.urls import path

from . import editor_views, views

app_name = "bank"
urlpatterns = [
    path("", views.question_list, name="question_list"),
    # An organization's own questions (before <slug:key>: "new" is never a stored key, since
    # an organization's keys carry its slug as a prefix).
    path("questions/new/", editor_views.question_new, name="question_new"),
    path("questions/export.yaml", editor_views.questions_export, name="questions_export"),
    path("questions/<slug:key>/", views.question_detail, name="question_detail"),
    path("questions/<slug:key>/edit/", editor_views.question_edit, name="question_edit"),
    path("questions/<slug:key>/report/", views.question_report, name="question_report"),
    path("questions/<slug:key>/publish/", editor_views.question_publish, name="question_publish"),
    path("questions/<slug:key>/retire/", editor_views.question_retire, name="question_retire"),
    path(
        "questions/<slug:key>/new-version/",
        editor_views.question_open_version,
        name="question_open_version",
    ),
    path("kits/", views.kit_list, name="kit_list"),
    # The kit builder ("new" is a reserved kit key, so it cannot shadow a kit's page).
    path("kits/new/", views.kit_new, name="kit_new"),
    path("kits/<slug:key>/", views.kit_detail, name="kit_detail"),
    path("kits/<slug:key>/copy/", views.kit_copy, name="kit_copy"),
    path("kits/<slug:key>/edit/", views.kit_edit, name="kit_edit"),
    path("kits/<slug:key>/items/", views.kit_item_add, name="kit_item_add"),
    path("kits/<slug:key>/items/<int:item_pk>/", views.kit_item_change, name="kit_item_change"),
]
