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
