"""Per-client limits on the API, counted in the shared cache (Redis)."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from common.ratelimit import client_address


class ClientRateThrottle(AnonRateThrottle):
    """API_RATE requests per client address, shared by every web process.

    The rate is read at each request rather than once at import (DRF's own classes keep
    the rate they saw first), so a changed setting applies at once; the client is the
    address the trusted proxies saw, as for the forms' limits. With Redis down the
    portal's cache drops writes, so the limit lets requests through rather than fail."""

    scope = "api"

    def get_rate(self):
        return settings.API_RATE or None

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request):
        return client_address(request)
