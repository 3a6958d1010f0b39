from django.conf import settings


def site(request):
    return {
        "SITE_URL": settings.SITE_URL,
        "LANGUAGE_SELF_NAMES": settings.LANGUAGE_SELF_NAMES,
    }
