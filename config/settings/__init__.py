"""Settings package: ``base`` (shared), ``celery`` (broker and the beat schedule), ``production`` (what
manage.py, wsgi/asgi and the Celery app load by default) and ``test`` (what pytest loads). Set
DJANGO_SETTINGS_MODULE to one of the last two; this package itself holds no settings."""
