# The application image: web (gunicorn + whitenoise), worker and beat all run from it.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
# pg_dump / pg_restore for `manage.py backup` and the nightly backup job.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY config ./config
COPY core ./core
COPY customers ./customers
COPY platform_api ./platform_api
COPY loyalty ./loyalty
COPY care ./care
COPY complaints ./complaints
COPY kpis ./kpis
RUN pip install --no-cache-dir .
COPY . .
# Translations and static files are built into the image; no manual step at deploy time.
RUN python devtools/compile_messages.py \
 && DEBUG=1 STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
    python manage.py collectstatic --noinput
RUN useradd --create-home crm && mkdir -p /app/var /backups && chown -R crm /app/var /backups
USER crm
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
