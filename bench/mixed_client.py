"""HTTP for bench/load_mixed.py: one keep-alive connection per thread and identity (the platform's API key
or a staff member's session cookie), and the staff login through the admin's login form."""

import http.client
import json
import re
import urllib.parse


class Http:
    def __init__(self, port: int, *, api_key: str | None = None, cookie: str | None = None):
        self.port = port
        self.headers = {"Authorization": f"Api-Key {api_key}"} if api_key else {"Cookie": cookie or ""}
        self.conn = None

    def send(self, method: str, path: str, body=None) -> tuple[int, dict]:
        """(status, JSON answer or {}); a dropped keep-alive connection is opened again once."""
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self.conn = None
                if attempt == 2:
                    raise
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        return response.status, (json.loads(raw) if is_json and raw else {})


def _cookies(response) -> dict:
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def staff_login(port: int, username: str, password: str) -> str:
    """The Cookie header of a logged-in staff session (the admin's login form, CSRF token included)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/admin/login/")
    response = conn.getresponse()
    page = response.read().decode()
    jar = _cookies(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token,
                                   "next": "/admin/"})
    conn.request("POST", "/admin/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/admin/login/",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    response = conn.getresponse()
    response.read()
    jar.update(_cookies(response))
    if response.status != 302 or "sessionid" not in jar:
        raise SystemExit(f"staff login of {username} failed ({response.status})")
    return "; ".join(f"{k}={v}" for k, v in jar.items())
