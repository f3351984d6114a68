"""The Celery app. Tasks are discovered in each app's tasks.py and should be enqueued after the
database commit (``task.delay_on_commit(...)`` from DjangoTask, or ``transaction.on_commit``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("config", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
