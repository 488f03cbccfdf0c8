#!/usr/bin/env python3
"""The system browser, as GraphDesk's end-to-end tests play it (GRAPHDESK_BROWSER points here).

GraphDesk opens the authorize URL with this script. It completes the sign-in at the demo tenant through the tenant's
automation API (as a user would on its pages), then hands the redirect to the OS the way a browser does for a custom
scheme: it launches the GraphDesk binary with the `graphdesk://auth?...` URL as its only argument.

Environment: GRAPHDESK_E2E_BIN (the app binary), GRAPHDESK_E2E_UPN (default adele@contoso.example).
"""

import json
import os
import ssl
import subprocess
import sys
import urllib.parse
import urllib.request


def main() -> int:
    authorize_url = sys.argv[1]
    parts = urllib.parse.urlsplit(authorize_url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        print(f"refusing to automate a non-loopback sign-in: {parts.hostname}", file=sys.stderr)
        return 2
    # The demo tenant's CA lives only inside the app; this helper talks to it on loopback and never sees real tokens.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    body = json.dumps({"url": authorize_url, "upn": os.environ.get("GRAPHDESK_E2E_UPN", "adele@contoso.example")})
    request = urllib.request.Request(
        f"{parts.scheme}://{parts.netloc}/_admin/authorize",
        data=body.encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        redirect = json.load(response)["redirect_url"]
    return subprocess.run([os.environ["GRAPHDESK_E2E_BIN"], redirect], timeout=60).returncode


if __name__ == "__main__":
    sys.exit(main())
