"""Response headers Django does not set itself, and a request id for the logs."""

import re
import uuid

from compression_middleware.middleware import CompressionMiddleware as _Compression
from django.conf import settings

from .logging import request_id_var

# An id from the proxy in front (X-Request-ID) is kept when it looks like one, so a
# request can be followed from the load balancer's log into the portal's.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        # Other sites' pages cannot load the portal's answers (Spectre-class leaks); the
        # public uploads say otherwise for feed readers that show their thumbnails.
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers["X-Request-ID"] = request.id
        return response


class StaffSessionMiddleware:
    """Staff and superuser sessions last STAFF_SESSION_SECONDS, not members' two weeks:
    a forgotten staff session on a shared computer opens the admin.

    Applied whenever a request changes the session (every log-in does, whether through
    the admin, allauth or its "remember me", which sets its own expiry after logging in),
    so it must sit after AuthenticationMiddleware and inside SessionMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (
            session is not None
            and session.modified
            and user is not None
            and (user.is_staff or user.is_superuser)
            and session.get("_session_expiry") != settings.STAFF_SESSION_SECONDS
        ):
            session.set_expiry(settings.STAFF_SESSION_SECONDS)
        return response


class InvalidAccountFormMiddleware:
    """allauth re-shows a form with errors as a 200; the portal's own forms answer 400,
    so that nothing (a test, a monitor, a script) reads a refused sign-up, log-in or
    password change as a success."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        match = getattr(request, "resolver_match", None)
        if (
            request.method == "POST"
            and response.status_code == 200
            and match is not None
            and (match.url_name or "").startswith("account_")
        ):
            context = response.context_data or {}
            forms = [value for value in context.values() if hasattr(value, "errors")]
            if any(form.is_bound and form.errors for form in forms):
                response.status_code = 400
        return response


# Text the portal writes; files (PDFs, images, spreadsheets, archives) are compressed
# already or too large to compress in a web worker, and the proxy sends uploads itself.
_COMPRESSED_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "application/vnd.oai.openapi",
    "image/svg+xml",
)


class CompressionMiddleware(_Compression):
    """zstd, brotli or gzip, as the client accepts, for the portal's own text answers, so
    that `make run` (gunicorn alone) sends what the proxy would. The proxy (Caddy's
    `encode`) leaves an answer that already has a Content-Encoding as it is."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(_COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
