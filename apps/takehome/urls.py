from django.urls import path

from . import views

app_name = "takehome"
urlpatterns = [
    path("t/<str:token>/", views.open_link, name="open"),
    path("takehome/", views.answer_page, name="answer"),
    path("takehome/answers/<int:item_id>/", views.autosave, name="autosave"),
    path("takehome/submit/", views.submit, name="submit"),
    path("takehome/receipt/", views.receipt, name="receipt"),
]
