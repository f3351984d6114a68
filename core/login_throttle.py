"""A ceiling on failed admin logins per client address, beside django-axes' per-account lockout.

Axes locks one username from one address; a password-spraying attacker instead tries a few common
passwords on many usernames from one address. This middleware counts failed login POSTs per address
(core.http.client_ip) and refuses further login attempts from an address past
ADMIN_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR for the rest of the hour. The ceiling is high enough for an
office behind one NAT. If the counter store is down it lets the attempt through: axes' lockout (kept in
the database) still guards every account, and staff must be able to log in."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from core import ratelimit
from core.http import client_ip

SCOPE = "admin-login-failures"


class LoginAddressThrottleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or request.path_info != reverse("admin:login"):
            return self.get_response(request)
        address = client_ip(request)
        try:
            blocked = ratelimit.count(SCOPE, address) >= settings.ADMIN_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR
        except ratelimit.RateLimitUnavailable:
            blocked = False
        if blocked:
            return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
        response = self.get_response(request)
        if response.status_code == 200 and not request.user.is_authenticated:  # the form again: a failure
            try:
                ratelimit.hit(SCOPE, address, window=3600)
            except ratelimit.RateLimitUnavailable:
                pass
        return response
