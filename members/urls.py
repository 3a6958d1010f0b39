from django.urls import path

from . import area, views

app_name = "members"

urlpatterns = [
    path("", views.join, name="join"),
    path("apply/", views.apply, name="apply"),
    path("apply/<slug:kind>/", views.application_create, name="application_create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("area/", area.members_area, name="area"),
    path("area/<int:pk>/invite/", area.invite, name="invite"),
    path(
        "area/<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        area.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("area/<int:pk>/leave/", area.leave, name="leave"),
    path("area/<int:pk>/focal-points/<int:focal_point_pk>/remove/", area.remove, name="remove"),
    path("area/<int:pk>/entry/", area.entry, name="entry"),
    path("invitations/<str:token>/", area.invitation, name="invitation"),
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
