# The portal's image: gunicorn, the Celery worker and beat all run from it
# (docker-compose.yml). Settings come from the environment (README.md, .env.example).
#
# Production dependencies only (requirements.lock); the development stack (devstack/),
# the tests and the benchmarks stay out (.dockerignore). Every wheel it installs exists
# for x86-64 and arm64: `docker buildx build --platform linux/amd64,linux/arm64 .`
FROM python:3.11.11-slim-bookworm

# pg_dump / pg_restore of the database's major version, for `manage.py backup`: from the
# PostgreSQL project's Debian repository, which builds them for amd64 and arm64.
# docker-compose.yml passes the same PG_MAJOR to its postgres image.
ARG PG_MAJOR=16
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl gnupg; \
    install -d /usr/share/postgresql-common/pgdg; \
    curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
        https://www.postgresql.org/media/keys/ACCC4CF8.asc; \
    echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list; \
    apt-get update; \
    apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}"; \
    apt-get purge -y --auto-remove curl gnupg; \
    rm -rf /var/lib/apt/lists/*; \
    pg_dump --version

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=cpaor.settings \
    PG_BIN_DIR=/usr/lib/postgresql/${PG_MAJOR}/bin \
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

# Static files are collected into the image (and by the migrate service into the volume
# the proxy serves). The key is only for this build step, not kept in the image.
RUN SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput -v 0

# An unprivileged user that owns only the folders it writes to.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin cpaor \
    && mkdir -p /app/media /app/private /app/run /app/backups /app/staticfiles \
    && chown -R cpaor:cpaor /app/media /app/private /app/run /app/backups /app/staticfiles
USER cpaor

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=5 \
    CMD ["python", "-m", "cpaor.probe"]
# Sync workers: the proxy buffers slow clients' uploads and answers and sends files
# itself. The graceful timeout is inside compose's stop_grace_period for web.
CMD ["gunicorn", "cpaor.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", \
     "--graceful-timeout", "20"]
