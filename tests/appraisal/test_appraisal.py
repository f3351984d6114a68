"""Agent appraisal and QA (issue 18 item 4; 004 自评、上级评价、客户评价相结合): QA scores against the
checklist, self-assessment, customer ratings of callbacks, the monthly appraisal with re-normalised
weights, the monthly job run twice, the sign-off, and who may do what."""

import random
from decimal import Decimal

import pytest

from appraisal import rules
from appraisal.errors import AppraisalError, NotAllowed
from appraisal.models import Appraisal, AppraisalWeights, ChecklistItem, QaReview, SelfAssessment
from appraisal.services import (
    appraisal_sign_off,
    appraisals_compute_month,
    appraisals_compute_previous_month,
    qa_review_score,
    qa_sample,
    self_assessment_submit,
)
from core.models import Notification
from tests.appraisal.conftest import OCT, contacts, rated_callbacks, scored_review
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db
IN_NOVEMBER = b.at(2026, 11, 3).date()


def test_rules_score_a_review_and_renormalise_the_weights():
    # every item fully met → 100; weights 30 (5 points) and 20 (2 points) → (30×5 + 20×2) / (5 × 50) = 76 %
    assert rules.qa_review_score([(5, 30), (5, 20)]) == Decimal("100.00")
    assert rules.qa_review_score([(5, 30), (2, 20)]) == Decimal("76.00")
    weights = {"qa": 50, "self": 20, "customer": 30}
    assert rules.combine({"qa": Decimal(80), "self": Decimal(90), "customer": Decimal(90)}, weights) == Decimal("85.00")
    # no customer ratings: QA counts 50/70, self 20/70
    assert rules.combine({"qa": Decimal(80), "self": Decimal(90), "customer": None}, weights) == Decimal("82.86")
    assert rules.normalised_weights(weights, present={"qa": True, "self": True}) == {
        "qa": Decimal("71.43"), "self": Decimal("28.57")}
    assert rules.combine({"qa": None, "self": None, "customer": None}, weights) is None
    assert rules.rating_score(9, 2) == Decimal("90.00")  # 4.5 stars on average


def test_the_appraisal_combines_qa_self_assessment_and_customer_ratings(dept):
    # given October: two QA reviews (every item 4/5 → 80, 5/5 → 100), a self-assessment of 90 and two
    # callbacks rated 4 and 5 by the customers (4.5 × 20 = 90)
    scored_review(dept.agent_a1, dept.sup_a, 4)
    scored_review(dept.agent_a1, dept.sup_a, 5)
    SelfAssessment.objects.create(agent=dept.agent_a1, month=OCT, score=90, text="本月接听量大，回访及时")
    rated_callbacks(dept.agent_a1, [4, 5])
    # when the month is computed
    appraisals_compute_month(month=OCT, now=b.at(2026, 11, 1, 0, 20))
    # then QA 90, self 90, customer 90 → 90; the weights row is kept with it
    a = Appraisal.objects.get(agent=dept.agent_a1, month=OCT)
    assert (a.qa_score, a.qa_reviews, a.self_score, a.customer_score, a.customer_ratings, a.total) == (
        Decimal("90.00"), 2, Decimal("90.00"), Decimal("90.00"), 2, Decimal("90.00"))
    assert (a.qa_weight, a.self_weight, a.customer_weight, a.team) == (50, 20, 30, dept.team_a)


def test_a_missing_part_is_left_out_and_the_weights_renormalised(dept):
    # given an agent scored 80 by QA who self-assessed 90 and whose callbacks nobody rated
    scored_review(dept.agent_a1, dept.sup_a, 4)
    SelfAssessment.objects.create(agent=dept.agent_a1, month=OCT, score=90, text="一般")
    b.callback(b.customer(), dept.agent_a1, happened=b.at(2026, 10, 9), satisfaction=None)
    # and a manager who weighs QA 60, self 0, customer 40
    AppraisalWeights.objects.update(qa_weight=60, self_weight=0, customer_weight=40)
    rated_callbacks(dept.agent_a2, [3])  # agent_a2: only customer ratings (3 stars → 60)
    appraisals_compute_month(month=OCT)
    a1 = Appraisal.objects.get(agent=dept.agent_a1)
    a2 = Appraisal.objects.get(agent=dept.agent_a2)
    # then a1 counts QA only (self has weight 0, no customer ratings) and a2 the customers only
    assert (a1.customer_score, a1.total, a1.effective_weights()) == (None, Decimal("80.00"), {"qa": Decimal("100.00")})
    assert (a2.qa_score, a2.total, a2.effective_weights()) == (None, Decimal("60.00"), {"customer": Decimal("100.00")})
    # with the default weights back: a1 = (50 × 80 + 20 × 90) / 70
    AppraisalWeights.objects.update(qa_weight=50, self_weight=20, customer_weight=30)
    appraisals_compute_month(month=OCT)
    a1.refresh_from_db()
    assert a1.total == Decimal("82.86")
    assert a1.effective_weights() == {"qa": Decimal("71.43"), "self": Decimal("28.57")}


def test_running_the_monthly_job_twice_gives_one_appraisal_per_agent(dept):
    scored_review(dept.agent_a1, dept.sup_a, 3)
    rated_callbacks(dept.agent_b1, [5])
    after_october = b.at(2026, 11, 1, 0, 20)
    first = appraisals_compute_previous_month(now=after_october)
    second = appraisals_compute_previous_month(now=after_october)
    # every appraised agent (the roles that self-assess) has exactly one October appraisal
    assert first == second == {"computed": 3, "signed_off": 0}
    assert sorted(Appraisal.objects.values_list("agent__username", "month")) == [
        ("agent_a1", OCT), ("agent_a2", OCT), ("agent_b1", OCT)]
    assert Appraisal.objects.get(agent=dept.agent_a2).total is None  # nothing to appraise yet


def test_a_signed_off_appraisal_is_final(dept):
    scored_review(dept.agent_a1, dept.sup_a, 4)
    appraisals_compute_month(month=OCT)
    appraisal = Appraisal.objects.get(agent=dept.agent_a1)
    appraisal_sign_off(appraisal=appraisal, actor=dept.sup_a, note="表现良好", now=b.at(2026, 11, 5))
    # the agent is told; a late QA score or self-assessment is refused; the job leaves it as it is
    assert Notification.objects.filter(recipient=dept.agent_a1, text__contains="80.00").exists()
    review = QaReview.objects.get()
    items = ChecklistItem.objects.filter(is_active=True, applies_to__in=["both", "contact"])
    with pytest.raises(AppraisalError, match="已签核"):
        qa_review_score(review=review, actor=dept.sup_a, points={item.pk: 5 for item in items})
    with pytest.raises(AppraisalError, match="已签核"):
        self_assessment_submit(agent=dept.agent_a1, month=OCT, score=100, text="补写", today=IN_NOVEMBER)
    rated_callbacks(dept.agent_a1, [1, 1])
    assert appraisals_compute_previous_month(now=b.at(2026, 11, 6))["signed_off"] == 1
    appraisal.refresh_from_db()
    assert (appraisal.status, appraisal.total, appraisal.signed_off_by) == ("signed_off", Decimal("80.00"), dept.sup_a)
    with pytest.raises(AppraisalError):
        appraisal_sign_off(appraisal=appraisal, actor=dept.sup_a)


def test_only_the_agents_supervisor_or_a_manager_signs_off_and_never_the_agent(dept):
    scored_review(dept.agent_a1, dept.sup_a, 4)
    appraisals_compute_month(month=OCT)
    appraisal = Appraisal.objects.get(agent=dept.agent_a1)
    for actor in (dept.agent_a1, dept.agent_a2, dept.sup_b, dept.analyst):
        with pytest.raises(NotAllowed):
            appraisal_sign_off(appraisal=appraisal, actor=actor, now=b.at(2026, 11, 5))
    appraisal_sign_off(appraisal=appraisal, actor=dept.ops, now=b.at(2026, 11, 5))


def test_an_agent_cannot_score_themselves_nor_a_supervisor_another_team(dept):
    contact = contacts(dept.agent_a1, 1)[0]
    review = QaReview.objects.create(agent=dept.agent_a1, month=OCT, contact=contact)
    items = ChecklistItem.objects.filter(is_active=True, applies_to__in=["both", "contact"])
    points = {item.pk: 5 for item in items}
    for actor in (dept.agent_a1, dept.agent_a2, dept.sup_b, dept.analyst):
        with pytest.raises(NotAllowed):
            qa_review_score(review=review, actor=actor, points=points)
    with pytest.raises(AppraisalError):  # every item must be scored, 0–5
        qa_review_score(review=review, actor=dept.sup_a, points={**points, items[0].pk: 6})
    scored = qa_review_score(review=review, actor=dept.sup_a, points=points, comment="解答准确，语气亲切")
    assert (scored.status, scored.score, scored.reviewer, scored.scores.count()) == (
        "scored", Decimal("100.00"), dept.sup_a, items.count())
    # the complaint-only item is not asked of a contact; a complaint's review asks it
    assert not scored.scores.filter(item__applies_to="complaint").exists()


def test_sampling_gives_each_agent_of_the_team_n_contacts_and_complaints_once(dept, settings):
    settings.APPRAISAL_QA_SAMPLE_SIZE = 3
    contacts(dept.agent_a1, 4)
    b.complaint(received=b.at(2026, 10, 20), assignee=dept.agent_a1)
    contacts(dept.agent_a1, 2, month=9)  # September: not October's
    contacts(dept.agent_a2, 1)
    contacts(dept.agent_b1, 5)  # another team
    result = qa_sample(actor=dept.sup_a, month=OCT, rng=random.Random(1), today=IN_NOVEMBER)
    assert (result.created, result.per_agent) == (4, {dept.agent_a1.pk: 3, dept.agent_a2.pk: 1})
    assert not QaReview.objects.filter(agent=dept.agent_b1).exists()
    assert set(QaReview.objects.values_list("month", "status", "sampled_by")) == {(OCT, "pending", dept.sup_a.pk)}
    # sampling again tops up only what is new, never the same contact twice
    contacts(dept.agent_a2, 3)
    again = qa_sample(actor=dept.sup_a, month=OCT, rng=random.Random(2), today=IN_NOVEMBER)
    assert again.per_agent == {dept.agent_a2.pk: 2}
    assert QaReview.objects.filter(agent=dept.agent_a1).count() == 3
    assert QaReview.objects.filter(agent=dept.agent_a2).values("contact").distinct().count() == 3
    with pytest.raises(NotAllowed):
        qa_sample(actor=dept.sup_a, month=OCT, agents=[dept.agent_b1], today=IN_NOVEMBER)
    with pytest.raises(AppraisalError):
        qa_sample(actor=dept.sup_a, month=b.at(2026, 12, 1).date(), today=IN_NOVEMBER)


def test_an_agent_self_assesses_this_month_or_last_only_and_changes_it_until_signed_off(dept):
    first = self_assessment_submit(agent=dept.agent_a1, month=OCT, score=85, text="回访完成率高", today=IN_NOVEMBER)
    again = self_assessment_submit(agent=dept.agent_a1, month=b.at(2026, 10, 20).date(), score=88, text="补充",
                                   today=IN_NOVEMBER)
    assert first.pk == again.pk and (again.month, again.score) == (OCT, 88)
    for month, score, text in ((b.at(2026, 9, 1).date(), 80, "太早"), (OCT, 101, "满分"), (OCT, 80, " ")):
        with pytest.raises(AppraisalError):
            self_assessment_submit(agent=dept.agent_a1, month=month, score=score, text=text, today=IN_NOVEMBER)
    with pytest.raises(NotAllowed):  # supervisors and managers are not appraised
        self_assessment_submit(agent=dept.sup_a, month=OCT, score=90, text="自评", today=IN_NOVEMBER)
