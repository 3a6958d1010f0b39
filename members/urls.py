from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.join, name="join"),
    path("apply/", views.apply, name="apply"),
    path("apply/<slug:kind>/", views.application_create, name="application_create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("area/", views.members_area, name="area"),
    path("area/<int:pk>/renew/", views.membership_renew, name="membership_renew"),
    path("renew/<str:token>/", views.renewal_link, name="renewal_link"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path(
        "applications/<int:pk>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path("applications/<int:pk>/answer/", views.application_answer, name="application_answer"),
    path(
        "applications/<int:pk>/document/",
        views.application_document,
        name="application_document",
    ),
    path(
        "applications/<int:pk>/documents/<int:attachment_pk>/",
        views.application_attachment,
        name="application_attachment",
    ),
]
