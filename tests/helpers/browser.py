#!/usr/bin/env python3
"""The system browser, as GraphDesk's end-to-end tests play it (GRAPHDESK_BROWSER points here).

GraphDesk opens the authorize URL with this script. It signs in on the tenant's own pages as a user would — the sign-in
form, then the MFA and consent pages when they come — through the tenant's public endpoints only (no admin API: the
app's demo tenant has none). When the tenant redirects to the app (`graphdesk://auth?...`), it hands the redirect to
the OS the way a browser does for a custom scheme: it launches the GraphDesk binary with the URL as its only argument.

Environment: GRAPHDESK_E2E_BIN (the app binary), GRAPHDESK_E2E_UPN (default adele@contoso.example),
GRAPHDESK_E2E_PASSWORD (default demo).
"""

import html.parser
import http.cookiejar
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

from loopback_tls import loopback_only, unverified_context


class FormReader(html.parser.HTMLParser):
    """The page's first form: its action and its fields (hidden ones with their values)."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}
        self.buttons = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action", "")
        elif tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "button" and attrs.get("name"):
            self.buttons.append((attrs["name"], attrs.get("value", "")))


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is the answer to read (it may point at the app's custom scheme), never followed here."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def main() -> int:
    authorize_url = sys.argv[1]
    parts = urllib.parse.urlsplit(authorize_url)
    if not loopback_only(authorize_url):
        return 2
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=unverified_context()),
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        KeepRedirects(),
    )
    origin = f"{parts.scheme}://{parts.netloc}"
    upn = os.environ.get("GRAPHDESK_E2E_UPN", "adele@contoso.example")
    password = os.environ.get("GRAPHDESK_E2E_PASSWORD", "demo")

    request = urllib.request.Request(authorize_url)
    for _ in range(6):
        try:
            with opener.open(request, timeout=30) as response:
                page = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as answer:
            if answer.code in (301, 302, 303, 307, 308):
                location = answer.headers["location"]
                if location.startswith(("https://", "http://")):
                    request = urllib.request.Request(location)
                    continue
                return subprocess.run([os.environ["GRAPHDESK_E2E_BIN"], location], timeout=60).returncode
            print(f"the sign-in page answered {answer.code}: {answer.read()[:300]!r}", file=sys.stderr)
            return 1
        form = FormReader()
        form.feed(page)
        if form.action is None:
            print(f"no form on the sign-in page: {page[:300]!r}", file=sys.stderr)
            return 1
        fields = dict(form.fields)
        step = fields.get("step")
        if step == "login":
            fields.update(username=upn, password=password)
        elif step in ("mfa", "consent"):
            fields["decision"] = "accept"
        else:
            print(f"an unexpected sign-in step {step!r}", file=sys.stderr)
            return 1
        request = urllib.request.Request(
            urllib.parse.urljoin(origin, form.action),
            data=urllib.parse.urlencode(fields).encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    print("the sign-in did not end in a redirect", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
