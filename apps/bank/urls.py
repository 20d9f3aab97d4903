from django.urls import path

from . import views

app_name = "bank"
urlpatterns = [
    path("", views.question_list, name="question_list"),
    path("questions/<slug:key>/", views.question_detail, name="question_detail"),
    path("kits/", views.kit_list, name="kit_list"),
    # The kit builder ("new" is a reserved kit key, so it cannot shadow a kit's page).
    path("kits/new/", views.kit_new, name="kit_new"),
    path("kits/<slug:key>/", views.kit_detail, name="kit_detail"),
    path("kits/<slug:key>/copy/", views.kit_copy, name="kit_copy"),
    path("kits/<slug:key>/edit/", views.kit_edit, name="kit_edit"),
    path("kits/<slug:key>/items/", views.kit_item_add, name="kit_item_add"),
    path("kits/<slug:key>/items/<int:item_pk>/", views.kit_item_change, name="kit_item_change"),
]
