// The accounts panel and the profile card: renders what the shell answers, and asks for sign-in, profile and sign-out.
import { commands } from "./ipc";
import type { Account, UserProfile } from "./types";
import { addActivity, describeError, element, renderStatus, showNotice } from "./view";

/** Re-reads the app status (the cache file changes with every sign-in and sign-out). */
async function refreshStatus(): Promise<void> {
  const status = await commands.appStatus();
  if (status.ok) renderStatus(status.value);
}

export async function refreshAccounts(): Promise<Account[]> {
  const outcome = await commands.accounts();
  const accounts = outcome.ok ? outcome.value : [];
  const list = element("accounts", HTMLUListElement);
  list.replaceChildren();
  const template = element("account-item", HTMLTemplateElement);
  for (const account of accounts) {
    const item = template.content.firstElementChild?.cloneNode(true);
    if (!(item instanceof HTMLLIElement)) continue;
    item.dataset.username = account.username;
    item.dataset.homeAccountId = account.homeAccountId;
    const name = item.querySelector(".name");
    if (name) name.textContent = account.name ?? account.username;
    const username = item.querySelector(".username");
    if (username) username.textContent = account.username;
    const tenants = item.querySelector(".tenants");
    if (tenants instanceof HTMLElement) {
      const guestOf = account.tenantProfiles.filter((p) => !p.isHomeTenant).map((p) => p.tenantId);
      tenants.hidden = guestOf.length === 0;
      tenants.textContent = `+${guestOf.length} tenant${guestOf.length === 1 ? "" : "s"}`;
      tenants.title = `Also signed in to: ${guestOf.join(", ")}`;
    }
    item.querySelector(".show-profile")?.addEventListener("click", () => void showProfile(account.homeAccountId));
    item.querySelector(".sign-out")?.addEventListener("click", () => void signOut(account));
    list.append(item);
  }
  element("accounts-empty", HTMLElement).hidden = accounts.length > 0;
  return accounts;
}

export function renderProfile(profile: UserProfile | null): void {
  const card = element("profile", HTMLElement);
  card.hidden = profile === null;
  if (profile === null) return;
  element("profile-name", HTMLElement).textContent = profile.displayName ?? "";
  element("profile-upn", HTMLElement).textContent = profile.userPrincipalName ?? "";
  element("profile-title-value", HTMLElement).textContent = profile.jobTitle ?? "—";
  element("profile-id", HTMLElement).textContent = profile.id;
}

export async function showProfile(account: string): Promise<void> {
  const outcome = await commands.profile(account);
  if (outcome.ok) {
    renderProfile(outcome.value);
  } else {
    showNotice(describeError(outcome.error));
  }
}

async function signOut(account: Account): Promise<void> {
  const outcome = await commands.signOut(account.homeAccountId);
  if (!outcome.ok) {
    showNotice(describeError(outcome.error));
    return;
  }
  addActivity(`Signed out ${account.username}`, outcome.value ?? "", { outcome: "signedOut" });
  renderProfile(null);
  await refreshAccounts();
  await refreshStatus();
}

export async function signIn(): Promise<void> {
  const button = element("sign-in", HTMLButtonElement);
  const cancel = element("cancel-sign-in", HTMLButtonElement);
  button.disabled = true;
  button.textContent = "Waiting for the browser…";
  cancel.hidden = false;
  try {
    const outcome = await commands.signIn();
    if (outcome.ok) {
      const summary = outcome.value;
      addActivity(`Signed in ${summary.account.username}`, summary.cacheWarning ?? `scopes: ${summary.scopes}`, {
        outcome: "signedIn",
      });
      showNotice(summary.cacheWarning);
      await refreshStatus();
      await refreshAccounts();
      await showProfile(summary.account.homeAccountId);
    } else {
      addActivity("Sign-in did not complete", describeError(outcome.error), { outcome: outcome.error.kind });
      showNotice(describeError(outcome.error));
    }
  } finally {
    button.disabled = false;
    button.textContent = "Sign in";
    cancel.hidden = true;
  }
}
