// The real msal-node against GraphDesk's emulated tenant: device code -> silent cache hit -> refresh after expiry, then
// authorization code + PKCE (completed through the tenant's automation API) -> Graph /me.
// Run by crates/graphdesk-tenant/tests/peers.rs with AUTHORITY, KNOWN_AUTHORITY, CLIENT_ID, ADMIN_URL, ADMIN_TOKEN, GRAPH_URL, UPN
// and NODE_EXTRA_CA_CERTS pointing at the tenant's CA. Prints one JSON line; exits non-zero on any failure.
import { readFileSync, writeFileSync } from "node:fs";
import { CryptoProvider, PublicClientApplication } from "@azure/msal-node";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const [AUTHORITY, CLIENT_ID, ADMIN_URL, GRAPH_URL, UPN] = ["AUTHORITY", "CLIENT_ID", "ADMIN_URL", "GRAPH_URL", "UPN"].map(env);
const SCOPES = ["User.Read"];

async function admin(path, body) {
  const response = await fetch(`${ADMIN_URL}/_admin/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${env("ADMIN_TOKEN")}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`admin ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function main() {
  const pca = new PublicClientApplication({
    auth: { clientId: CLIENT_ID, authority: AUTHORITY, knownAuthorities: [env("KNOWN_AUTHORITY")] },
  });
  if (process.env.CACHE_IN) {
    // Read back what GraphDesk exported: its account, and a silent token for it.
    pca.getTokenCache().deserialize(readFileSync(process.env.CACHE_IN, "utf8"));
    const imported = await pca.getTokenCache().getAllAccounts();
    check(imported.length === 1 && imported[0].username === UPN, `imported accounts: ${JSON.stringify(imported)}`);
    const silent = await pca.acquireTokenSilent({ account: imported[0], scopes: SCOPES });
    check(silent?.accessToken, "silent from GraphDesk's cache gave no token");
    console.log(JSON.stringify({ importedAccount: imported[0].username, fromCache: silent.fromCache }));
    return;
  }

  const device = await pca.acquireTokenByDeviceCode({
    scopes: SCOPES,
    deviceCodeCallback: (response) => admin("device", { user_code: response.userCode, upn: UPN }),
  });
  check(device?.accessToken, "device code gave no token");

  const accounts = await pca.getTokenCache().getAllAccounts();
  check(accounts.length === 1 && accounts[0].username === UPN, `accounts: ${JSON.stringify(accounts)}`);

  const hit = await pca.acquireTokenSilent({ account: accounts[0], scopes: SCOPES });
  check(hit.fromCache && hit.accessToken === device.accessToken, "silent call did not hit the cache");

  // Tokens live 303 s; msal-node renews when fewer than 300 s are left, so 4 s later it must refresh.
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const refreshed = await pca.acquireTokenSilent({ account: accounts[0], scopes: SCOPES });
  check(!refreshed.fromCache && refreshed.accessToken !== device.accessToken, "silent call after expiry did not refresh");

  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  const redirectUri = "graphdesk://auth";
  const url = await pca.getAuthCodeUrl({ scopes: SCOPES, redirectUri, codeChallenge: challenge, codeChallengeMethod: "S256" });
  const redirect = new URL((await admin("authorize", { url, upn: UPN })).redirect_url);
  const interactive = await pca.acquireTokenByCode({
    code: redirect.searchParams.get("code"),
    scopes: SCOPES,
    redirectUri,
    codeVerifier: verifier,
  });
  check(interactive.account?.username === UPN, "the code flow signed in someone else");

  const me = await fetch(`${GRAPH_URL}/v1.0/me`, { headers: { Authorization: `Bearer ${interactive.accessToken}` } });
  check(me.status === 200, `Graph /me: ${me.status}`);
  const profile = await me.json();
  if (process.env.CACHE_OUT) writeFileSync(process.env.CACHE_OUT, pca.getTokenCache().serialize());
  console.log(JSON.stringify({ upn: profile.userPrincipalName, accounts: (await pca.getTokenCache().getAllAccounts()).length }));
}

main().catch((error) => {
  console.error(`FAILED: ${error?.stack ?? error}`);
  process.exit(1);
});
