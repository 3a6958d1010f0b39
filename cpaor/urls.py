from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from resources.views import resource_short_link

from . import views
from .media import serve_media
from .sitemaps import SITEMAPS, robots_txt

handler404 = "django.views.defaults.page_not_found"  # templates/404.html, in the page's language
handler500 = "cpaor.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Before admin.site.urls, so that the admin's log-in is the limited one.
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    # Short links to resources, in the reader's language (resources/views.py).
    path("r/<int:pk>/", resource_short_link, name="resource_short_link"),
    # E-mail providers' delivery events (bounces, complaints), signed by the provider.
    path("anymail/", include("anymail.urls")),
    # The read-only JSON API and its OpenAPI schema, the same in every language.
    path("api/", include("api.urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("initiatives/", include("initiatives.urls")),
    path("resources/", include("resources.urls")),
    path("membership/", include("members.urls")),
    path("members/", include("members.directory_urls")),
    path("newsletters/", include("newsletters.urls")),
    path("alerts/", include("alerts.urls")),
    path("accounts/", include("allauth.urls")),
    prefix_default_language=True,
)

# Uploads on the local disk are served by the portal, as downloads (cpaor/media.py);
# object storage serves its own.
if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    urlpatterns += [path("media/<path:path>", serve_media, name="media")]
