// The accounts panel and the profile card: renders what the shell answers, and asks for profile, photo, the active
// account and sign-out.
import { commands } from "./ipc";
import type { Account, UserProfile } from "./ipc.gen";
import { loadToken } from "./token";
import { addActivity, describeError, element, renderStatus, showNotice } from "./view";

/** Re-reads the app status (the cache file changes with every sign-in and sign-out). */
export async function refreshStatus(): Promise<void> {
  const status = await commands.appStatus();
  if (status.ok) renderStatus(status.value);
}

export async function refreshAccounts(): Promise<Account[]> {
  const [outcome, active] = await Promise.all([commands.accounts(), commands.activeAccount()]);
  const accounts = outcome.ok ? outcome.value : [];
  const activeId = active.ok ? active.value : null;
  const list = element("accounts", HTMLUListElement);
  list.replaceChildren();
  const template = element("account-item", HTMLTemplateElement);
  for (const account of accounts) {
    const item = template.content.firstElementChild?.cloneNode(true);
    if (!(item instanceof HTMLLIElement)) continue;
    const isActive = account.homeAccountId === activeId;
    item.dataset.username = account.username;
    item.dataset.homeAccountId = account.homeAccountId;
    item.classList.toggle("active", isActive);
    const mark = item.querySelector(".active-mark");
    if (mark) mark.textContent = isActive ? "●" : "";
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
    const choose = item.querySelector(".choose");
    if (choose instanceof HTMLButtonElement) {
      choose.hidden = isActive;
      choose.addEventListener("click", () => void chooseAccount(account));
    }
    item.querySelector(".show-profile")?.addEventListener("click", () => void showProfile(account.homeAccountId));
    item.querySelector(".sign-out")?.addEventListener("click", () => void signOut(account));
    list.append(item);
  }
  element("accounts-empty", HTMLElement).hidden = accounts.length > 0;
  return accounts;
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((part) => part.length > 0)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? "")
    .join("");
}

export function renderProfile(profile: UserProfile | null, photo: string | null = null): void {
  const card = element("profile", HTMLElement);
  card.hidden = profile === null;
  if (profile === null) return;
  card.dataset.id = profile.id;
  element("profile-name", HTMLElement).textContent = profile.displayName ?? "";
  element("profile-upn", HTMLElement).textContent = profile.userPrincipalName ?? "";
  element("profile-title-value", HTMLElement).textContent = profile.jobTitle ?? "—";
  element("profile-id", HTMLElement).textContent = profile.id;
  const image = element("profile-photo", HTMLImageElement);
  image.hidden = photo === null;
  if (photo !== null) image.src = photo;
  else image.removeAttribute("src");
  const letters = element("profile-initials", HTMLElement);
  letters.hidden = photo !== null;
  letters.textContent = initials(profile.displayName ?? profile.userPrincipalName ?? "?");
}

export async function showProfile(account: string): Promise<void> {
  const [outcome, photo] = await Promise.all([commands.profile(account), commands.photo(account)]);
  if (outcome.ok) {
    renderProfile(outcome.value, photo.ok ? photo.value : null);
  } else {
    showNotice(describeError(outcome.error));
  }
}

async function chooseAccount(account: Account): Promise<void> {
  const outcome = await commands.chooseAccount(account.homeAccountId);
  if (!outcome.ok) {
    showNotice(describeError(outcome.error));
    return;
  }
  await refreshAccounts();
  await loadToken();
  await showProfile(account.homeAccountId);
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
  await loadToken();
  await refreshStatus();
}
