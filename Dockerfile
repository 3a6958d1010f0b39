# Compose's `mail` service (docker-compose.yml): the development mail sink,
# devstack/mailsink.py, with aiosmtpd from the development lock. A stage of its own, so
# the portal's image below needs neither devstack/ nor the development dependencies.
FROM python:3.11-slim AS mailsink

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements-dev.lock ./
RUN pip install $(grep -E '^(aiosmtpd|atpublic|attrs)==' requirements-dev.lock)
COPY devstack/__init__.py devstack/mailsink.py devstack/
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin cpaor \
    && mkdir -p /app/mail && chown cpaor:cpaor /app/mail
USER cpaor

EXPOSE 8025
CMD ["python", "-m", "devstack.mailsink", "--host", "0.0.0.0", "--port", "8025", \
     "--dir", "/app/mail"]


# The portal's image (the default target): gunicorn, the Celery worker and beat run from
# it (see docker-compose.yml). Settings come from the environment (README.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=cpaor.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    PRIVATE_MEDIA_ROOT=/app/private \
    CELERY_BEAT_SCHEDULE_FILENAME=/app/run/celerybeat-schedule \
    WEB_CONCURRENCY=2

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Static files are collected into the image; WhiteNoise serves them. The key is only
# for this build step and is not kept in the image's environment.
RUN SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput -v 0

# Run as an unprivileged user; it owns only the directories it writes to.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin cpaor \
    && mkdir -p /app/media /app/private /app/run \
    && chown cpaor:cpaor /app/media /app/private /app/run
USER cpaor

EXPOSE 8000
CMD ["gunicorn", "cpaor.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", \
     "--graceful-timeout", "20"]
