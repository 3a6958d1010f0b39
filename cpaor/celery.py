"""The Celery application. Tasks live in each app's tasks.py and only call services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpaor.settings")

app = Celery("cpaor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Options shared by every task that sends e-mail: acknowledged only once the message
# is handed to the SMTP server, given back to the queue if the worker dies, retried a
# bounded number of times with exponential backoff.
EMAIL_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    # The outbox row counts the tries and fails after its last (cpaor.outbox.MAX_ATTEMPTS).
    "max_retries": None,
    "soft_time_limit": 60,
    "time_limit": 90,
}


@app.task(name="cpaor.ping", ignore_result=False)
def ping():
    return "pong"
