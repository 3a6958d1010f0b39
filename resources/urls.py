from django.urls import path

from . import feeds, views

app_name = "resources"

urlpatterns = [
    path("", views.resource_list, name="list"),
    path("feed/", feeds.LatestResourcesFeed(), name="feed"),
    path("feed/topic/<slug:slug>/", feeds.TopicResourcesFeed(), name="topic_feed"),
    path("feed/initiative/<slug:slug>/", feeds.InitiativeResourcesFeed(), name="initiative_feed"),
    path("<slug:slug>/", views.resource_detail, name="detail"),
    path("<slug:slug>/download/<str:language>/", views.resource_download, name="download"),
    path("<slug:slug>/text/<str:language>/", views.resource_text, name="text"),
    path("<slug:slug>/cite.<str:fmt>", views.resource_citation, name="citation"),
]
