"""Static files, uploads and where they are stored (local folders or S3 buckets)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .environment import BASE_DIR, DEBUG, env, env_bool

# Static files are served by the portal itself (WhiteNoise): no CDN.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / ".data" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Largest file a curator or applicant may upload, in megabytes.
RESOURCE_MAX_UPLOAD_MB = int(env("RESOURCE_MAX_UPLOAD_MB", "50"))
# An applicant's supporting documents, a member's logo.
MEMBERS_MAX_DOCUMENT_MB = int(env("MEMBERS_MAX_DOCUMENT_MB", "10"))
MEMBERS_MAX_LOGO_BYTES = int(env("MEMBERS_MAX_LOGO_BYTES", str(2 * 1024 * 1024)))
# Images in newsletter issues: what a reader on a slow link still downloads.
NEWSLETTER_IMAGE_MAX_BYTES = int(env("NEWSLETTER_IMAGE_MAX_BYTES", str(5 * 1024 * 1024)))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))
# Membership documents: a folder with no URL, read only by views that check permission.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / ".data" / "private")))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


def s3_storage(bucket, *, public):
    """An S3-compatible bucket (django-storages): public uploads are read straight from
    it; private ones only through signed addresses that expire within a minute, handed
    out after the portal's permission check (common/files.py)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL"),
            "region_name": env("AWS_S3_REGION_NAME"),
            "access_key": env("AWS_ACCESS_KEY_ID"),
            "secret_key": env("AWS_SECRET_ACCESS_KEY"),
            "default_acl": None,
            "querystring_auth": not public,
            "querystring_expire": 60,
            "signature_version": "s3v4",
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN") if public else None,
            "file_overwrite": False,
        },
    }


# Object storage, so several web servers share the uploads: public media in one bucket,
# membership documents in another that is never public. Without it, documents stay in
# PRIVATE_MEDIA_ROOT (members/models/documents.py).
if env("AWS_STORAGE_BUCKET_NAME"):
    if not env("AWS_PRIVATE_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured(
            "AWS_PRIVATE_STORAGE_BUCKET_NAME must be set with AWS_STORAGE_BUCKET_NAME: "
            "membership documents never go to the public media bucket."
        )
    STORAGES["default"] = s3_storage(env("AWS_STORAGE_BUCKET_NAME"), public=True)
    STORAGES["private"] = s3_storage(env("AWS_PRIVATE_STORAGE_BUCKET_NAME"), public=False)
# Behind the proxy (docker-compose.yml), files on the local disk are sent by the proxy
# once the portal has checked who may see them (common/files.py, deploy/Caddyfile).
FILES_ACCEL_REDIRECT = env_bool("FILES_ACCEL_REDIRECT", False)

# Links to documents published elsewhere are checked by a worker (resources.services.links):
# the longest wait for a connection or an answer, the redirects followed, and how many
# links beat re-checks at a time. Private and loopback addresses are never fetched, but
# for tests (LINK_CHECK_ALLOW_PRIVATE).
LINK_CHECK_TIMEOUT = float(env("LINK_CHECK_TIMEOUT", "10"))
LINK_CHECK_MAX_REDIRECTS = int(env("LINK_CHECK_MAX_REDIRECTS", "5"))
LINK_CHECK_BATCH = int(env("LINK_CHECK_BATCH", "50"))
LINK_CHECK_ALLOW_PRIVATE = env_bool("LINK_CHECK_ALLOW_PRIVATE", False)
