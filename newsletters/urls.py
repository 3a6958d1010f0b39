from django.urls import path

from . import views

app_name = "newsletters"

urlpatterns = [
    path("", views.index, name="index"),
    path("check-your-email/", views.check_email, name="check_email"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("preferences/<str:token>/data/", views.subscriber_data, name="data"),
    path(
        "preferences/<str:token>/data.json",
        views.subscriber_data,
        {"download": True},
        name="data_download",
    ),
    path("preferences/<str:token>/erase/", views.erase, name="erase"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/<slug:slug>/", views.unsubscribe, name="unsubscribe_list"),
    path("unsubscribed/", views.unsubscribed, name="unsubscribed"),
    path("erased/", views.erased, name="erased"),
    path("<slug:slug>/", views.archive, name="archive"),
    path("<slug:slug>/feed/", views.ListFeed(), name="feed"),
    path("<slug:slug>/<int:pk>/", views.issue_detail, name="issue"),
]
