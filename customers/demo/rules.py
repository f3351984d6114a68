"""Demo data of issue 17 for the customers app (items 18, 15, 20, 19), added after the demo company's
customers, orders and contact log (customers.demo.seed). No random draws from the main generator: rows
are picked by key, so the rest of the demo stays as it was."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from customers.models import ContactLog, Customer

QUESTIONS = ["客户询问企业月结如何开票", "客户询问代驾是否可以跨城", "客户建议增加女司机选项", "客户询问积分兑换规则",
             "客户建议夜间高峰多派单"]
ANSWERS = ["已电话告知开票流程", "已告知跨城计费标准", "已记录建议并转交运营部", "已短信发送积分规则"]


def inquiries(agents, *, anchor: dt.datetime) -> str:
    """Each agent: inquiries and suggestions of the last six months, most answered within 24 h, some late;
    and today two waiting (one due this afternoon, one already late and flagged)."""
    customers = list(Customer.objects.filter(status=Customer.Status.ACTIVE).order_by("pk").values_list("pk", flat=True))
    if not customers or not agents:
        return "inquiries: none"
    rows, n = [], 0
    for a, agent in enumerate(agents):
        for k in range(12):
            n += 1
            asked = anchor - dt.timedelta(days=3 + k * 15 + a, hours=(k * 7) % 9)
            hours = (2, 5, 20, 23, 30, 3, 8, 50, 1, 12, 26, 4)[k]  # most within 24 h, some late
            purpose = ContactLog.Purpose.SUGGESTION if k % 4 == 2 else ContactLog.Purpose.INQUIRY
            rows.append(ContactLog(
                customer_id=customers[n * 7 % len(customers)], agent=agent, purpose=purpose,
                channel=ContactLog.Channel.PHONE_IN, status=ContactLog.Status.DONE, happened_at=asked,
                notes=QUESTIONS[n % len(QUESTIONS)], reply_due_at=asked + dt.timedelta(hours=24),
                answered_at=asked + dt.timedelta(hours=hours), answered_by=agent, answer=ANSWERS[n % len(ANSWERS)],
                reply_late_at=asked + dt.timedelta(hours=24, minutes=15) if hours > 24 else None))
        for hours_ago, note in ((4, "客户询问明晚包车价格，需查询后回电"), (30, "客户建议会员日双倍积分，需答复")):
            n += 1
            asked = timezone.now() - dt.timedelta(hours=hours_ago)
            rows.append(ContactLog(
                customer_id=customers[n * 7 % len(customers)], agent=agent,
                purpose=ContactLog.Purpose.INQUIRY if hours_ago < 24 else ContactLog.Purpose.SUGGESTION,
                channel=ContactLog.Channel.PHONE_IN, status=ContactLog.Status.DONE, happened_at=asked, notes=note,
                reply_due_at=asked + dt.timedelta(hours=24),
                reply_late_at=asked + dt.timedelta(hours=24, minutes=15) if hours_ago > 24 else None))
    ContactLog.objects.bulk_create(rows)
    return f"inquiries and suggestions: {len(rows)} ({2 * len(agents)} waiting for an answer)"


def phone_orders(agents) -> str:
    """Orders booked by phone by the first agent: one booked for tomorrow evening, one changed, one
    cancelled (the customer's plans changed), on the company's own channel."""
    from customers.services.phone_orders import phone_order_book, phone_order_cancel, phone_order_change

    customers = list(Customer.objects.filter(status=Customer.Status.ACTIVE).order_by("-pk")[:3])
    if not agents or len(customers) < 3:
        return "orders booked by phone: none"
    agent = agents[0]
    evening = timezone.localtime().replace(hour=21, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    booked = [phone_order_book(customer=c, actor=agent, pickup_at=evening + dt.timedelta(minutes=30 * i),
                               pickup=address, dropoff="上海市浦东新区世纪大道100号环球金融中心")
              for i, (c, address) in enumerate(zip(customers, ("上海市徐汇区漕溪北路88号圣爱大厦",
                                                               "上海市静安区南京西路1266号恒隆广场",
                                                               "上海市黄浦区人民大道200号"), strict=True))]
    phone_order_change(order=booked[1], actor=agent, pickup_at=evening + dt.timedelta(hours=1),
                       notes="客户来电改晚一小时")
    phone_order_cancel(order=booked[2], actor=agent, reason="客户行程取消")
    return f"orders booked by phone: {len(booked)} by {agent.username} (one changed, one cancelled)"


def access_requests(agents) -> str:
    """The first team-scoped agent (agent1, 客服一组) sees their own team's customers and the pool; they
    asked the general manager for one customer of another team (waiting) and opened another by
    break-glass (recorded)."""
    from customers.access_scope import can_see, is_scoped
    from customers.services.access_requests import access_request

    agent = next((a for a in agents if is_scoped(a)), None)
    if agent is None:
        return "access requests: none"
    others = [c for c in Customer.objects.filter(status=Customer.Status.ACTIVE, owner__isnull=False)
              .exclude(owner=agent).select_related("owner").order_by("pk")[:400] if not can_see(agent, c)][:2]
    if len(others) < 2:
        return "access requests: no other team's customers"
    access_request(customer=others[0], actor=agent, reason="客户来电咨询其企业账户月结，需查看档案")
    access_request(customer=others[1], actor=agent, reason="客户在线等待，代驾途中事故需紧急处理", break_glass=True)
    return f"access scope: {agent.username} sees their team; one request waiting for the GM, one break-glass"


def pool_rules(agents) -> str:
    """Two pool customers were served twice this month by the second agent (calls in the contact log):
    the pool rule gives them to that agent; VIP customers get their second contact. (Rule (b), detaching
    customers who book without their account manager, runs in the daily job, not here: the demo's
    history has few logged contacts and it would empty most agents' books.)"""
    from customers.services.pool import pool_secondary_contacts, pool_served_twice

    scoped = [a for a in agents if a.groups.filter(name="客服专员").exists()]
    pool = list(Customer.objects.filter(owner__isnull=True, status=Customer.Status.ACTIVE).order_by("pk")[:2])
    if len(scoped) < 2 or not pool:
        return "pool rules: nothing to show"
    agent, now = scoped[1], timezone.now()
    for customer in pool:
        for hours in (50, 3):
            ContactLog.objects.create(customer=customer, agent=agent, channel=ContactLog.Channel.PHONE_IN,
                                      purpose=ContactLog.Purpose.CARE, status=ContactLog.Status.DONE,
                                      happened_at=max(now - dt.timedelta(hours=hours),
                                                      timezone.localtime(now).replace(day=1, hour=0, minute=1)),
                                      notes="客户来电咨询服务")
    reassigned = pool_served_twice(now=now)
    seconds = pool_secondary_contacts()
    return f"pool rules: {reassigned} pool customers given to {agent.username}; {seconds} VIP second contacts"


def seed_rules(company, *, anchor: dt.datetime | None = None) -> list[str]:
    anchor = anchor or timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return [inquiries(company.agents, anchor=anchor), phone_orders(company.agents), access_requests(company.agents),
            pool_rules(company.agents)]
