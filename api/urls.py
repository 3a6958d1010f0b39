from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularJSONAPIView

from . import docs, views

app_name = "api"

urlpatterns = [
    path("v1/resources/", views.ResourceList.as_view(), name="resources"),
    path("v1/resources/<int:id>/", views.ResourceDetail.as_view(), name="resource"),
    path("v1/initiatives/", views.InitiativeList.as_view(), name="initiatives"),
    path("v1/initiatives/<slug:slug>/", views.InitiativeDetail.as_view(), name="initiative"),
    path("v1/newsletters/", views.NewsletterListList.as_view(), name="newsletters"),
    path("v1/newsletters/issues/", views.IssueList.as_view(), name="issues"),
    path("v1/newsletters/issues/<int:id>/", views.IssueDetail.as_view(), name="issue"),
    # OpenAPI 3: YAML by default, JSON with ?format=json or Accept: application/json.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema.json", SpectacularJSONAPIView.as_view(), name="schema_json"),
    path("docs/", docs.api_docs, name="docs"),
]
