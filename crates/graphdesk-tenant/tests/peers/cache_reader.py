"""MSAL Python reads a token cache file the way an app does and writes it back: deserialize, list what it holds,
serialize. Prints one JSON line: {"accounts": [...home_account_ids], "serialized": <the re-serialized cache>}.

Run by crates/graphdesk-core/tests/interop.rs on GraphDesk's exports of the MSAL fixture caches."""

import json
import sys

import msal

cache = msal.SerializableTokenCache()
with open(sys.argv[1], encoding="utf-8") as file:
    cache.deserialize(file.read())
accounts = sorted({a.get("home_account_id") or "" for a in cache.find(msal.TokenCache.CredentialType.ACCOUNT)})
print(json.dumps({"accounts": accounts, "serialized": json.loads(cache.serialize())}))
