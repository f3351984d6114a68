"""Celery queues by kind (config/settings/celery.py): each task lands in its kind's queue, a worker
started without -Q consumes every queue (one worker still does everything; the fault tests' real workers
are such workers), and docker-compose.scale.yml gives every queue workers of its own."""

from pathlib import Path

import pytest
import yaml

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]
QUEUES = {"celery", "events", "messages", "reports"}
EXPECTED = {
    "customers.process_order_events": "events",
    "customers.sweep_order_events": "events",
    "care.deliver_message": "messages",
    "care.dispatch_messages": "messages",
    "care.birthday_greetings": "messages",
    "care.holiday_greetings": "messages",
    "care.anniversary_greetings": "messages",
    "kpis.compute_previous_month": "reports",
    "kpis.recompute_previous_month": "reports",
    "kpis.compute_running_month": "reports",
    "core.tasks.database_backup": "reports",
    "core.tasks.heartbeat": "celery",
    "customers.dormancy_sweep": "celery",
    "loyalty.monthly_tier_review": "celery",
    "complaints.process_deadlines": "celery",
    "care.schedule_callbacks": "celery",
}


def _queue_of(name: str) -> str:
    route = app.amqp.router.route({}, name)
    return route["queue"].name


@pytest.mark.parametrize(("task", "queue"), sorted(EXPECTED.items()))
def test_each_kind_of_task_is_sent_to_its_queue(task, queue):
    assert _queue_of(task) == queue


def test_every_task_of_ours_lands_in_a_known_queue_that_a_default_worker_consumes():
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert len(ours) > 20
    for name in ours:
        assert _queue_of(name) in QUEUES, name
    assert set(app.amqp.queues) == QUEUES  # a worker without -Q consumes these


def _compose(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text())


def test_every_queue_has_a_worker_in_the_scale_compose_file():
    compose = _compose("docker-compose.scale.yml")
    consumed = set()
    for service in compose["services"].values():
        command = service.get("command") or []
        if "worker" in command and "-Q" in command:
            consumed |= set(command[command.index("-Q") + 1].split(","))
    assert consumed == QUEUES


def test_the_scale_compose_file_runs_one_beat_two_web_containers_and_repeats_the_base_environment():
    base, scale = _compose("docker-compose.yml"), _compose("docker-compose.scale.yml")
    assert set(scale["x-scale-app-env"]) == set(base["x-app-env"])  # no drift between the two copies
    services = {name: {**base["services"].get(name, {}), **svc} for name, svc in scale["services"].items()}
    beats = [name for name, svc in services.items() if "beat" in (svc.get("command") or [])]
    assert beats == ["beat"] and scale["services"]["beat"]["deploy"]["replicas"] == 1
    assert "gunicorn" in str(services["web"]["command"]) and "gunicorn" in str(services["web2"]["command"])
