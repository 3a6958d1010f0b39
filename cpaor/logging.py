"""Log records carry the request id (web) or the task (Celery); JSON in production.

JSON lines are what log collectors (Loki, CloudWatch, Elastic) parse without rules;
the plain format stays for a developer's terminal.
"""

import contextvars
import json
import logging
from datetime import UTC, datetime

from celery import current_task

request_id_var = contextvars.ContextVar("request_id", default="")

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class ContextFilter(logging.Filter):
    """Adds request_id, and the running Celery task's name and id, to every record."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        task = current_task if current_task and current_task.request.id else None
        record.task_id = task.request.id if task else ""
        record.task_name = task.name if task else ""
        return True


class JSONFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Anything passed with extra={...} (issue_id, application_id, ...) is kept.
        for key, value in vars(record).items():
            if key not in _STANDARD and value not in ("", None):
                entry[key] = value if isinstance(value, int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
