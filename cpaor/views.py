import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
        logger.warning("healthz: %s is down: %s", name, exc)
        return False
    return True


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis():
    client = cache._cache.get_client(write=True)
    client.ping()


def _celery():
    # A connection of its own: a broker that restarted must not leave /healthz reading a
    # dead pooled connection.
    with celery_app.connection_for_write(connect_timeout=1) as connection_:
        connection_.ensure_connection(max_retries=1)
        replies = celery_app.control.ping(timeout=1.0, connection=connection_)
    if not replies:
        raise RuntimeError("no Celery worker answered")


@never_cache
@require_GET
def healthz(request):
    checks = {
        "database": _check("database", _database),
        "redis": _check("redis", _redis),
        "celery": _check("celery", _celery),
    }
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
