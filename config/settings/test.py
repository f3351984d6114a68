"""What pytest loads (pyproject's [tool.pytest.ini_options]): the production settings, so the suite tests
what runs, with the suite's defaults for the environment. Each default applies only when the environment
does not set it already; they are set in os.environ, so the worker, beat and manage.py processes that
tests start inherit them."""

import os

TEST_ENVIRONMENT_DEFAULTS = {
    "SECRET_KEY": "test-secret-key-not-for-production-0123456789abcdef",
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "FIELD_ENCRYPTION_KEYS": "7W4OQn1pJ3dQ0yq5b3xGmV0y9cI3bK2nT9rWcVx1QzE=",
    "BLIND_INDEX_KEY": "test-blind-index-key",
    "CARE_SMS_BACKEND": "care.channels.sms.LoggingSmsBackend",  # chosen explicitly (production refuses the default)
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}
for _name, _value in TEST_ENVIRONMENT_DEFAULTS.items():
    os.environ.setdefault(_name, _value)

from .production import *  # noqa: E402, F403

# On PostgreSQL the suite has a "replica" alias: the same test database through a connection of its own
# (TEST MIRROR). Nothing is routed to it unless a test sets READ_REPLICA_ALIAS = "replica"
# (tests/core/test_db_routing.py proves the dashboard then reads through it).
if DATABASES["default"]["ENGINE"].endswith("postgresql") and "replica" not in DATABASES:  # noqa: F405
    import copy as _copy

    DATABASES["replica"] = {**_copy.deepcopy(DATABASES["default"]), "TEST": {"MIRROR": "default"}}  # noqa: F405
