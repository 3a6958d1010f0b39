"""Pointing this test process's Celery app at another broker or routing table."""

from cpaor.celery import app


def use_broker(url, routes=None):
    """Publish to url (and route by `routes`, if given) from now on. Celery caches the
    routing table at the first publish and keeps producer pools for the broker they were
    made for: both are made anew, or later tests would publish where earlier ones did."""
    app.conf.broker_url = url
    if routes is not None:
        app.conf.task_routes = routes
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()
    app.amqp._producer_pool = None
    app._pool = None
