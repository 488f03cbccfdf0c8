// msal-node reads a token cache file the way an app does and writes it back: deserialize, list its accounts,
// serialize. Prints one JSON line: {"accounts": [...homeAccountIds], "serialized": <the re-serialized cache>}.
// Run by crates/graphdesk-core/tests/interop.rs on GraphDesk's exports of the MSAL fixture caches.
import { readFileSync } from "node:fs";
import { PublicClientApplication } from "@azure/msal-node";

const app = new PublicClientApplication({ auth: { clientId: process.argv[3] } });
const cache = app.getTokenCache();
cache.deserialize(readFileSync(process.argv[2], "utf8"));
// getAllAccounts decodes each account's ID token: a fixture whose ID token is a placeholder ("secret") fails there, in
// msal-node itself, whoever wrote the file. Reported, not fatal: what matters here is what msal-node keeps.
let accounts = null;
let accountsError = null;
try {
  accounts = [...new Set((await cache.getAllAccounts()).map((a) => a.homeAccountId))].sort();
} catch (error) {
  accountsError = String(error.errorCode || error.message || error);
}
console.log(JSON.stringify({ accounts, accountsError, serialized: JSON.parse(cache.serialize()) }));
