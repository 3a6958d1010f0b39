"""The public member directory, at /<lang>/members/ (the membership pages live under
/<lang>/membership/)."""

from django.urls import path

from . import directory, views

app_name = "directory"

urlpatterns = [
    path("", views.directory, name="index"),
    path("export.csv", directory.export_csv, name="export_csv"),
    path("export.json", directory.export_json, name="export_json"),
    path("<slug:slug>/", directory.member_page, name="member"),
]
