"""The real MSAL Python against GraphDesk's emulated tenant: device code -> silent cache hit -> refresh after expiry,
then authorization code + PKCE (completed through the tenant's automation API) -> Graph /me.

Run by crates/graphdesk-tenant/tests/peers.rs with AUTHORITY, CLIENT_ID, ADMIN_URL, ADMIN_TOKEN, GRAPH_URL, UPN, and
REQUESTS_CA_BUNDLE pointing at the tenant's CA. Prints one JSON line; exits non-zero on any failure."""

import json
import os
import sys
import time
import urllib.parse
import urllib.request

import msal
import requests

AUTHORITY = os.environ["AUTHORITY"]
CLIENT_ID = os.environ["CLIENT_ID"]
ADMIN_URL = os.environ["ADMIN_URL"]
ADMIN_TOKEN = os.environ["ADMIN_TOKEN"]
GRAPH_URL = os.environ["GRAPH_URL"]
UPN = os.environ["UPN"]
SCOPES = ["User.Read"]


def admin(path, body):
    request = urllib.request.Request(
        f"{ADMIN_URL}/_admin/{path}", data=json.dumps(body).encode(), headers={"content-type": "application/json", "authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    cache = msal.SerializableTokenCache()
    if os.environ.get("CACHE_IN"):
        with open(os.environ["CACHE_IN"]) as f:
            cache.deserialize(f.read())
    app = msal.PublicClientApplication(CLIENT_ID, authority=AUTHORITY, instance_discovery=False, token_cache=cache)
    if os.environ.get("CACHE_IN"):
        # Read back what GraphDesk exported: its account, and a silent token for it.
        accounts = app.get_accounts()
        check(len(accounts) == 1 and accounts[0]["username"] == UPN, f"imported accounts: {accounts}")
        silent = app.acquire_token_silent(SCOPES, account=accounts[0])
        check(silent and "access_token" in silent, f"silent from GraphDesk's cache failed: {silent}")
        print(json.dumps({"imported_account": accounts[0]["username"], "token_source": silent.get("token_source")}))
        return

    flow = app.initiate_device_flow(scopes=SCOPES)
    check("user_code" in flow, f"device flow did not start: {flow}")
    admin("device", {"user_code": flow["user_code"], "upn": UPN})
    device = app.acquire_token_by_device_flow(flow)
    check("access_token" in device, f"device code failed: {device.get('error')} {device.get('error_description')}")

    accounts = app.get_accounts()
    check(len(accounts) == 1 and accounts[0]["username"] == UPN, f"accounts: {accounts}")

    hit = app.acquire_token_silent(SCOPES, account=accounts[0])
    check(hit and hit["access_token"] == device["access_token"], "silent call did not hit the cache")
    check(hit.get("token_source") in (None, "cache"), f"token source {hit.get('token_source')}")

    # The tenant issues tokens that live 303 s; MSAL treats < 300 s left as expired, so 4 s later it must refresh.
    time.sleep(4)
    refreshed = app.acquire_token_silent(SCOPES, account=accounts[0])
    check(refreshed and "access_token" in refreshed, f"refresh failed: {refreshed}")
    check(refreshed["access_token"] != device["access_token"], "refresh returned the old token")

    code_flow = app.initiate_auth_code_flow(SCOPES, redirect_uri="http://localhost:8400")
    redirect = admin("authorize", {"url": code_flow["auth_uri"], "upn": UPN})["redirect_url"]
    auth_response = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect).query))
    interactive = app.acquire_token_by_auth_code_flow(code_flow, auth_response)
    check("access_token" in interactive, f"auth code failed: {interactive.get('error_description')}")
    check(interactive["id_token_claims"]["preferred_username"] == UPN, "ID token names someone else")

    me = requests.get(f"{GRAPH_URL}/v1.0/me", headers={"Authorization": f"Bearer {interactive['access_token']}"})
    check(me.status_code == 200, f"Graph /me: {me.status_code} {me.text}")
    if os.environ.get("CACHE_OUT"):
        with open(os.environ["CACHE_OUT"], "w") as f:
            f.write(cache.serialize())
    print(json.dumps({"msal": msal.__version__, "upn": me.json()["userPrincipalName"], "accounts": len(app.get_accounts())}))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001 - report any failure to the Rust test
        print(f"FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
