# The portal's image: gunicorn, the Celery worker and beat, and the mail sink all run
# from it (see docker-compose.yml). Settings come from the environment (README.md).
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
    && mkdir -p /app/media /app/private /app/run /app/mail \
    && chown cpaor:cpaor /app/media /app/private /app/run /app/mail
USER cpaor

EXPOSE 8000
CMD ["gunicorn", "cpaor.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", \
     "--graceful-timeout", "20"]
