"""The one state-machine helper (core.states, issue 14 item 4) and the five workflows that use it:
complaints, orders, handovers, key-field changes, deletion requests."""

import ast
from pathlib import Path

import pytest
from django.db import models
from django.utils import translation

from complaints.errors import ComplaintError
from complaints.models import Complaint
from core.errors import DomainError
from core.states import StateMachine, Transition, TransitionError
from customers.errors import CustomerError, NotAllowed
from customers.models import DeletionRequest, Handover, KeyFieldChange, Order
from customers.services import (
    deletion_request_create,
    deletion_request_decide,
    handover_approve,
    handover_cancel,
    handover_confirm,
    handover_reject,
    handover_request,
)
from tests.factories import CustomerFactory, StaffFactory, SupervisorFactory

ROOT = Path(__file__).resolve().parents[2]


class Light(models.TextChoices):
    RED = "red", "Red"
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    OFF = "off", "Off"


LIGHTS = StateMachine({Light.RED: (Light.GREEN, Light.OFF), Light.GREEN: (Light.AMBER,), Light.AMBER: (Light.RED,)},
                      labels=Light, unlisted=(Light.OFF,),
                      message="From %(current)s not to %(target)s; allowed: %(allowed)s.")


class Lamp:
    status = Light.RED
    changed_by = None


def test_an_allowed_move_passes_and_is_recorded_on_the_instance():
    lamp = Lamp()
    change = LIGHTS.move(lamp, Light.GREEN, changed_by="ops1")
    assert change == Transition("red", "green")
    assert (lamp.status, lamp.changed_by) == (Light.GREEN, "ops1")


def test_a_move_not_in_the_table_raises_the_domain_error_naming_the_statuses_and_changes_nothing():
    lamp = Lamp()
    with pytest.raises(TransitionError) as caught:
        LIGHTS.move(lamp, Light.AMBER, changed_by="ops1")
    assert isinstance(caught.value, DomainError)
    assert caught.value.code == "illegal_transition" and caught.value.api_status == 409
    # Labels, and the unlisted target ("off") is not offered.
    assert caught.value.message == "From Red not to Amber; allowed: Green."
    assert (lamp.status, lamp.changed_by) == (Light.RED, None)


def test_a_status_with_no_way_out_allows_none():
    with translation.override("en"), pytest.raises(TransitionError, match="allowed: none"):
        LIGHTS.check(Light.OFF, Light.RED)


def test_the_table_reads_as_a_mapping_with_sources_and_targets():
    assert LIGHTS.get("red") == ("green", "off") and LIGHTS.get("off", ()) == ()
    assert dict(LIGHTS.items())["amber"] == ("red",)
    assert LIGHTS.sources(Light.RED) == ("amber",) and LIGHTS.targets(Light.GREEN) == ("amber",)
    assert LIGHTS.allows("green", "amber") and not LIGHTS.allows("green", "red")


def test_a_machine_raises_its_own_error_class_code_field_and_per_target_message():
    machine = StateMachine({"a": ("b",)}, error=CustomerError, code="already_decided", field="status",
                           message="generic", messages={"c": "Only from b to c."})
    with pytest.raises(CustomerError) as caught:
        machine.check("a", "c")
    assert (caught.value.message, caught.value.code, caught.value.field) == ("Only from b to c.", "already_decided",
                                                                          "status")
    assert machine.refusal("a", "d").message == "generic"


# --- the five workflows ------------------------------------------------------------------------------
@pytest.mark.parametrize("model, error", [
    (Complaint, ComplaintError), (Order, CustomerError), (Handover, CustomerError), (KeyFieldChange, CustomerError),
    (DeletionRequest, CustomerError),
])
def test_each_workflow_declares_its_transitions_through_the_helper(model, error):
    machine = model.TRANSITIONS
    assert isinstance(machine, StateMachine)
    assert issubclass(machine.error, error)
    statuses = set(model.Status.values)
    assert set(machine) <= statuses and all(set(targets) <= statuses for targets in machine.values())


def test_no_service_writes_these_statuses_past_the_helper():
    """The services move these statuses only through ``TRANSITIONS.move`` (or the key-field bulk update
    filtered by ``TRANSITIONS.sources``): no ``x.status = …`` of a workflow record is left."""
    files = ["complaints/services/transitions.py", "customers/services/ownership.py",
             "customers/services/deletion.py", "customers/services/key_changes.py"]
    assignments = []
    for name in files:
        for node in ast.walk(ast.parse((ROOT / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    for t in (target.elts if isinstance(target, ast.Tuple) else [target]):
                        if isinstance(t, ast.Attribute) and t.attr == "status" and isinstance(t.value, ast.Name) \
                                and t.value.id in {"complaint", "handover", "request", "change"}:
                            assignments.append(f"{name}:{node.lineno}")
    assert assignments == []


def test_order_refusals_keep_their_code_and_message():
    refusal = Order.TRANSITIONS.refusal(Order.Status.COMPLETED, Order.Status.BOOKED)
    assert refusal.code == "status_backwards" and refusal.api_status == 409
    with translation.override("en"):
        assert Order.TRANSITIONS.refusal("completed", "booked").message == (
            "The order is already “Completed”; its status cannot go back to “Booked”.")
    assert Order.TRANSITIONS.allows("completed", "cancelled")  # within the window: customers.rules


def test_a_complaint_refusal_offers_the_workflow_moves_but_not_the_merge_only_one():
    with translation.override("en"), pytest.raises(ComplaintError) as caught:
        Complaint.TRANSITIONS.check(Complaint.Status.RECEIVED, Complaint.Status.RESOLVED)
    assert caught.value.code == "illegal_transition" and caught.value.field == "status"
    assert caught.value.message == ("A complaint cannot go from “Received” to “Resolved”. "
                                    "Allowed from here: Acknowledged, Not upheld.")


@pytest.mark.django_db
def test_handover_moves_out_of_turn_are_refused_with_their_messages():
    supervisor, leaver, receiver = SupervisorFactory(), StaffFactory(), StaffFactory()
    CustomerFactory(owner=leaver)
    handover = handover_request(from_user=leaver, to_user=receiver, actor=leaver)
    with translation.override("en"):
        with pytest.raises(CustomerError, match="must be approved by a supervisor before the receiver confirms"):
            handover_confirm(handover=handover, actor=receiver)
        handover_approve(handover=handover, actor=supervisor)
        with pytest.raises(CustomerError, match="Only a requested handover can be approved"):
            handover_approve(handover=handover, actor=supervisor)
        handover_reject(handover=handover, actor=receiver, note="不接")
        for close in (handover_reject, handover_cancel):
            with pytest.raises(CustomerError, match="This handover is already closed"):
                close(handover=handover, actor=supervisor)
    handover.refresh_from_db()
    assert handover.status == Handover.Status.REJECTED and handover.note == "不接"


@pytest.mark.django_db
def test_a_deletion_request_is_decided_once_with_the_same_code_as_a_key_field_change():
    supervisor, other_supervisor, agent = SupervisorFactory(), SupervisorFactory(), StaffFactory()
    request = deletion_request_create(customer=CustomerFactory(), actor=agent, reason="重复录入")
    deletion_request_decide(request=request, actor=supervisor, approve=False, note="保留")
    with pytest.raises(CustomerError) as caught:
        deletion_request_decide(request=request, actor=other_supervisor, approve=True)
    assert not isinstance(caught.value, NotAllowed) and caught.value.code == "already_decided"
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_note) == (
        DeletionRequest.Status.REJECTED, supervisor, "保留")
