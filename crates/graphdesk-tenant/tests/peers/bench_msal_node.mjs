// msal-node's side of GraphDesk's benchmark (crates/graphdesk-bench): the same measurements GraphDesk takes, on the same
// synthetic caches (in msal-node's own format) and the same emulated tenant.
// Environment: AUTHORITY, KNOWN_AUTHORITY, CLIENT_ID, ADMIN_URL, ADMIN_TOKEN, UPN, PASSWORD, CACHE_1, CACHE_1000, ACCOUNT_1,
// ACCOUNT_1000, ITERATIONS, REFRESHES, and NODE_EXTRA_CA_CERTS for the tenant's CA. Prints one JSON object.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PublicClientApplication } from "@azure/msal-node";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const SCOPES = ["User.Read"];
const version = createRequire(import.meta.url)("@azure/msal-node/package.json").version;

const app = () =>
  new PublicClientApplication({
    auth: { clientId: env("CLIENT_ID"), authority: env("AUTHORITY"), knownAuthorities: [env("KNOWN_AUTHORITY")] },
  });

async function admin(method, path) {
  const response = await fetch(`${env("ADMIN_URL")}/_admin/${path}`, {
    method,
    headers: { authorization: `Bearer ${env("ADMIN_TOKEN")}` },
  });
  if (!response.ok) throw new Error(`admin ${path}: ${response.status}`);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

function percentiles(samplesNs) {
  const sorted = [...samplesNs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2n;
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
  return { median_us: Number(median) / 1000, p99_us: Number(p99) / 1000 };
}

async function medianMs(action, repeat = 5) {
  const samples = [];
  for (let i = 0; i < repeat; i++) {
    const started = process.hrtime.bigint();
    await action();
    samples.push(process.hrtime.bigint() - started);
  }
  return percentiles(samples).median_us / 1000;
}

async function silentHits(file, homeAccountId, iterations) {
  const pca = app();
  pca.getTokenCache().deserialize(readFileSync(file, "utf8"));
  const account = await pca.getTokenCache().getAccountByHomeId(homeAccountId);
  if (!account) throw new Error(`no account ${homeAccountId}`);
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const started = process.hrtime.bigint();
    const result = await pca.acquireTokenSilent({ account, scopes: SCOPES });
    samples.push(process.hrtime.bigint() - started);
    if (!result?.fromCache) throw new Error("no cache hit");
  }
  return percentiles(samples);
}

async function main() {
  const iterations = Number(env("ITERATIONS"));
  const result = {
    library: `msal-node ${version}`,
    hit_1: await silentHits(env("CACHE_1"), env("ACCOUNT_1"), iterations),
    hit_1000: await silentHits(env("CACHE_1000"), env("ACCOUNT_1000"), Math.max(10, Math.floor(iterations / 10))),
  };
  const text = readFileSync(env("CACHE_1000"), "utf8");
  result.load_1000_ms = await medianMs(() => app().getTokenCache().deserialize(text));
  const big = app();
  big.getTokenCache().deserialize(text);
  const accounts = await big.getTokenCache().getAllAccounts();
  if (accounts.length !== 1000) throw new Error(`${accounts.length} accounts in the 1,000-account cache`);
  result.list_1000_ms = await medianMs(() => big.getTokenCache().getAllAccounts());

  const pca = app();
  const signedIn = await pca.acquireTokenByUsernamePassword({ username: env("UPN"), password: env("PASSWORD"), scopes: SCOPES });
  if (!signedIn?.accessToken) throw new Error("sign-in failed");
  const account = signedIn.account;
  const samples = [];
  for (let i = 0; i < Number(env("REFRESHES")); i++) {
    const started = process.hrtime.bigint();
    const refreshed = await pca.acquireTokenSilent({ account, scopes: SCOPES, forceRefresh: true });
    samples.push(process.hrtime.bigint() - started);
    if (refreshed.fromCache) throw new Error("a forced refresh came from the cache");
  }
  result.refresh_ms = percentiles(samples).median_us / 1000;

  // 100 concurrent silent calls on an expired access token.
  const cache = JSON.parse(pca.getTokenCache().serialize());
  const past = String(Math.floor(Date.now() / 1000) - 60);
  for (const at of Object.values(cache.AccessToken)) {
    at.expires_on = past;
    at.extended_expires_on = past;
  }
  pca.getTokenCache().deserialize(JSON.stringify(cache));
  await admin("DELETE", "requests");
  const started = process.hrtime.bigint();
  const answers = await Promise.allSettled(Array.from({ length: 100 }, () => pca.acquireTokenSilent({ account, scopes: SCOPES })));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const errors = answers.filter((a) => a.status !== "fulfilled" || !a.value?.accessToken).length;
  const refreshes = (await admin("GET", "requests")).filter((r) => r.grant_type === "refresh_token").length;
  result.concurrent = { wall_ms: wallMs, refreshes, errors };
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
