"""Response headers Django does not set itself, and a request id for the logs."""

import re
import uuid

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
