"""The read-only JSON API (api/): Django REST framework, its schema and CORS."""

from .environment import env

# Requests per client address (the one TRUSTED_PROXY_COUNT makes out) over a period, in
# Django REST framework's notation ("120/min", "5000/hour"); empty turns the limit off.
API_RATE = env("API_RATE", "120/min")

REST_FRAMEWORK = {
    # JSON only: the browsable renderer would need sessions, cookies and CSRF tokens.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Read-only: no request body is ever read.
    "DEFAULT_PARSER_CLASSES": [],
    # Anonymous: no session is read, so no answer sets a cookie or varies on one.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": None,
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CP AoR portal API",
    "DESCRIPTION": (
        "Read-only JSON API of the Global Child Protection Area of Responsibility portal: "
        "the resource library (with facets, full-text search and language versions), the "
        "initiatives and the newsletter archive. Anonymous, GET only, limited per client."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema is served anonymously like the API itself.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Resources' and milestones' dates share their precisions (day, month, year).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {"DatePrecisionEnum": "resources.models.Resource.Precision"},
}

# Any site may read the API from a browser (CORS), GET only and without credentials;
# nothing outside /api/ answers to other origins.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "accept-language", "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ("Retry-After", "ETag", "Content-Language")
