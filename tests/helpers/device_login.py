#!/usr/bin/env python3
"""Enters a device code on the tenant's device login page as a user would: `device_login.py BASE USER_CODE UPN`.

BASE is the tenant's https origin on loopback. Exits 0 when the page accepted the code and the sign-in.
"""

import os
import sys
import urllib.parse
import urllib.request

from loopback_tls import loopback_only, unverified_context


def main() -> int:
    base, user_code, upn = sys.argv[1:4]
    if not loopback_only(base):
        return 2
    context = unverified_context()
    form = urllib.parse.urlencode(
        {"user_code": user_code, "username": upn, "password": os.environ.get("GRAPHDESK_E2E_PASSWORD", "demo"),
         "decision": "approve"}
    ).encode()
    request = urllib.request.Request(f"{base}/devicelogin", data=form,
                                     headers={"content-type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        page = response.read().decode("utf-8", "replace")
    if 'class="err"' in page:
        print(f"the device login page refused: {page[:400]!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
