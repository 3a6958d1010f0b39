from django.urls import path

from . import views

app_name = "newsletters"

urlpatterns = [
    path("", views.index, name="index"),
]
