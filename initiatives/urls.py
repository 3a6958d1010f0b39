from django.urls import path

from . import views

app_name = "initiatives"

urlpatterns = [
    path("", views.InitiativeListView.as_view(), name="list"),
    path("<slug:slug>/", views.initiative_detail, name="detail"),
    path("<slug:slug>/contact/<int:pk>/", views.contact_email, name="contact"),
]
