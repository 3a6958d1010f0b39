from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("new/", views.search_alert_new, name="new"),
    path("resource/<int:pk>/", views.language_watch_new, name="watch"),
    path("check-your-email/", views.check_email, name="check_email"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/<str:kind>/<int:pk>/", views.unsubscribe, name="unsubscribe"),
]
