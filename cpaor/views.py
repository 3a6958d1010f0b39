import hashlib
import logging

from allauth.core import ratelimit as allauth_ratelimit
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from initiatives.models import Initiative
from resources.models import Resource

from .celery import app as celery_app
from .models import Strategy

logger = logging.getLogger(__name__)


def home(request):
    strategy = Strategy.objects.current()
    goals = list(strategy.goals.all()) if strategy else []
    context = {
        "strategy": strategy,
        "goals": goals,
        "featured_initiatives": list(Initiative.objects.featured()[:9]),
        "key_resources": list(
            Resource.objects.published().filter(is_key=True).ordered("newest")[:6]
        ),
    }
    return render(request, "home.html", context)


def _check(name, probe):
    try:
        probe()
    except Exception as exc:  # any failure means "down"; the reason goes to the log
        logger.warning("health: %s is down: %s", name, exc)
        return False
    return True


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis():
    client = cache._cache.get_client(write=True)
    client.ping()


def _ping_worker():
    """True when a Celery worker answers; returns on the first answer."""
    # A connection of its own: a broker that restarted must not leave /readyz reading a
    # dead pooled connection.
    with celery_app.connection_for_write(connect_timeout=1) as connection_:
        connection_.ensure_connection(max_retries=1)
        replies = celery_app.control.ping(
            timeout=settings.READYZ_PING_TIMEOUT, limit=1, connection=connection_
        )
    return bool(replies)


def _ping_worker_or_raise():
    if not _ping_worker():
        raise RuntimeError("no Celery worker answered within the ping timeout")


def _worker_cache_key():
    broker = hashlib.sha256(str(celery_app.conf.broker_url).encode()).hexdigest()[:16]
    return f"readyz:worker:{broker}"


def _celery():
    # Every caller within READYZ_CACHE_SECONDS shares one ping, whatever its answer, so
    # probes and curious visitors cost the broker and the web workers next to nothing.
    key = _worker_cache_key()
    answered = cache.get(key)
    if answered is None:
        answered = _check("celery ping", _ping_worker_or_raise)
        cache.set(key, answered, timeout=max(1, round(settings.READYZ_CACHE_SECONDS)))
    if not answered:
        raise RuntimeError("no Celery worker answered")


def _health_response(checks):
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


@never_cache
@require_safe
def healthz(request):
    """Liveness: the process answers and reaches its database. No broker, no worker."""
    return _health_response({"database": _check("database", _database)})


@never_cache
@require_safe
def readyz(request):
    """Readiness: the database, Redis and a Celery worker (that answer shared briefly)."""
    return _health_response(
        {
            "database": _check("database", _database),
            "redis": _check("redis", _redis),
            "celery": _check("celery", _celery),
        }
    )


def _admin_login_key(request):
    username = request.POST.get("username", "")
    return "admin:" + username.strip().lower()


def admin_login(request, extra_context=None):
    """The Django admin's log-in, with the limits of the public one (allauth's
    ACCOUNT_RATE_LIMITS["login_failed"]: per client address and per account).

    A client or account over the limit is refused before its password is checked, so a
    right guess then gains nothing; successful log-ins do not count.
    """
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    key = _admin_login_key(request)
    if not allauth_ratelimit.consume(request, action="login_failed", key=key, dry_run=True):
        logger.warning("admin login: too many failures for this client or account")
        return allauth_ratelimit.respond_429(request)
    before = request.user
    response = admin.site.login(request, extra_context)
    if request.user is before or not request.user.is_authenticated:
        allauth_ratelimit.consume(request, action="login_failed", key=key)
    return response


def server_error(request):
    """The 500 page, in the language of the address, with the site's header. Rendered
    without context processors or the session: the fault may be the database or Redis,
    and this page must not fail for the same reason."""
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            html = loader.get_template("500.html").render({"request": request})
    except Exception:  # noqa: BLE001 - the error page of the error page: plain text
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError("Server error", content_type="text/plain")
    return HttpResponseServerError(html)
