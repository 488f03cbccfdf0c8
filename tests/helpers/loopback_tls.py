"""TLS to a tenant on loopback, for the end-to-end helpers: the emulated tenant's CA lives with the app or the test, and
these helpers only ever talk to 127.0.0.1 (they refuse anything else), so the certificate is not checked."""

import ssl
import sys
import urllib.parse


def loopback_only(url: str) -> bool:
    """Whether `url` is on loopback; says why on stderr when it is not."""
    host = urllib.parse.urlsplit(url).hostname
    if host in ("127.0.0.1", "localhost"):
        return True
    print(f"refusing to automate a non-loopback tenant: {host}", file=sys.stderr)
    return False


def unverified_context() -> ssl.SSLContext:
    """An SSL context for the loopback tenant (no certificate check: see the module's docstring)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
