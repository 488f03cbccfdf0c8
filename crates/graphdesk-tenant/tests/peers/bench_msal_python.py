"""MSAL Python's side of GraphDesk's benchmark (crates/graphdesk-bench): the same measurements GraphDesk takes, on the
same synthetic caches (in MSAL Python's own format) and the same emulated tenant.

Environment: AUTHORITY, CLIENT_ID, ADMIN_URL, ADMIN_TOKEN, UPN, PASSWORD, CACHE_1, CACHE_1000 (files), ACCOUNT_1, ACCOUNT_1000 (the
home account id to ask for), ITERATIONS (silent hits per cache), REFRESHES, and REQUESTS_CA_BUNDLE for the tenant's CA.
Prints one JSON object; exits non-zero on any failure."""

import concurrent.futures
import json
import os
import statistics
import time
import urllib.parse
import urllib.request

import msal

ENV = os.environ
SCOPES = ["User.Read"]


def admin(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"authorization": f"Bearer {ENV['ADMIN_TOKEN']}"}
    if body is not None:
        headers["content-type"] = "application/json"
    request = urllib.request.Request(f"{ENV['ADMIN_URL']}/_admin/{path}", method=method, data=data, headers=headers)
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None


def percentiles(samples_ns):
    samples = sorted(samples_ns)
    return {
        "median_us": statistics.median(samples) / 1000,
        "p99_us": samples[min(len(samples) - 1, int(len(samples) * 0.99))] / 1000,
    }


def app_with(cache):
    return msal.PublicClientApplication(
        ENV["CLIENT_ID"], authority=ENV["AUTHORITY"], instance_discovery=False, token_cache=cache
    )


def load(path):
    cache = msal.SerializableTokenCache()
    with open(path) as f:
        cache.deserialize(f.read())
    return cache


def silent_hits(path, home_account_id, iterations):
    app = app_with(load(path))
    account = next(a for a in app.get_accounts() if a["home_account_id"] == home_account_id)
    samples = []
    for _ in range(iterations):
        started = time.perf_counter_ns()
        result = app.acquire_token_silent(SCOPES, account=account)
        samples.append(time.perf_counter_ns() - started)
        if not result or "access_token" not in result:
            raise AssertionError(f"no cache hit: {result}")
    return percentiles(samples)


def median_ms(action, repeat=5):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        action()
        samples.append(time.perf_counter_ns() - started)
    return statistics.median(samples) / 1e6


def main():
    iterations = int(ENV["ITERATIONS"])
    result = {
        "library": f"MSAL Python {msal.__version__}",
        "hit_1": silent_hits(ENV["CACHE_1"], ENV["ACCOUNT_1"], iterations),
        "hit_1000": silent_hits(ENV["CACHE_1000"], ENV["ACCOUNT_1000"], max(10, iterations // 10)),
    }
    with open(ENV["CACHE_1000"]) as f:
        text = f.read()
    result["load_1000_ms"] = median_ms(lambda: msal.SerializableTokenCache().deserialize(text))
    big = app_with(load(ENV["CACHE_1000"]))
    accounts = big.get_accounts()
    if len(accounts) != 1000:
        raise AssertionError(f"{len(accounts)} accounts in the 1,000-account cache")
    result["list_1000_ms"] = median_ms(big.get_accounts)

    # Refresh round trips: a real sign-in, then forced refreshes. (MSAL Python's username/password flow first asks
    # the authority host on port 443 for the user's realm, which a loopback tenant cannot answer: the sign-in is an
    # authorization code flow completed through the tenant's automation API instead.)
    app = app_with(msal.SerializableTokenCache())
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri="http://localhost:8400")
    redirect = admin("POST", "authorize", {"url": flow["auth_uri"], "upn": ENV["UPN"]})["redirect_url"]
    signed_in = app.acquire_token_by_auth_code_flow(flow, dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect).query)))
    if "access_token" not in signed_in:
        raise AssertionError(f"sign-in failed: {signed_in}")
    account = app.get_accounts()[0]
    samples = []
    for _ in range(int(ENV["REFRESHES"])):
        started = time.perf_counter_ns()
        refreshed = app.acquire_token_silent_with_error(SCOPES, account=account, force_refresh=True)
        samples.append(time.perf_counter_ns() - started)
        if not refreshed or "access_token" not in refreshed:
            raise AssertionError(f"refresh failed: {refreshed}")
    result["refresh_ms"] = statistics.median(samples) / 1e6

    # 100 concurrent silent calls on an expired access token.
    cache = app.token_cache
    for at in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
        cache.modify(msal.TokenCache.CredentialType.ACCESS_TOKEN, at, {"expires_on": str(int(time.time()) - 60)})
    admin("DELETE", "requests")
    started = time.perf_counter_ns()
    with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
        answers = list(pool.map(lambda _: app.acquire_token_silent(SCOPES, account=account), range(100)))
    wall_ms = (time.perf_counter_ns() - started) / 1e6
    failures = [a for a in answers if not a or "access_token" not in a]
    refreshes = sum(1 for r in admin("GET", "requests") if r.get("grant_type") == "refresh_token")
    result["concurrent"] = {"wall_ms": wall_ms, "refreshes": refreshes, "errors": len(failures)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
