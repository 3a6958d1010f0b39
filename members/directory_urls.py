"""The public member directory, at /<lang>/members/ (the membership pages live under
/<lang>/membership/)."""

from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.directory, name="index"),
]
