import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Import the URLconf (and with it every view, serializer and admin module) now, in each worker as it
# starts, rather than inside its first request: otherwise the first request a fresh gunicorn worker
# serves waits a quarter of a second for the imports.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - the access imports them
