// The settings panel: the app registration GraphDesk signs in with. The shell validates before saving; a refusal names
// the field, which is marked, and nothing changes. Saving opens the new session (or demo mode without a client id).
import { refreshAccounts, refreshStatus, renderProfile } from "./accounts";
import { commands } from "./ipc";
import { parseScopes } from "./graph";
import { loadToken } from "./token";
import type { ConfigField, Dialect, ImportSummary, Settings } from "./ipc.gen";
import { addActivity, describeError, element, showNotice } from "./view";

const CLOUDS: readonly Settings["cloud"][] = ["global", "usGovernment", "china"];

function isCloud(value: string): value is Settings["cloud"] {
  return (CLOUDS as readonly string[]).includes(value);
}

function fill(settings: Settings): void {
  element("settings-client-id", HTMLInputElement).value = settings.clientId;
  element("settings-tenant", HTMLInputElement).value = settings.tenant;
  element("settings-cloud", HTMLSelectElement).value = settings.cloud;
  element("settings-redirect-uri", HTMLInputElement).value = settings.redirectUri;
  element("settings-scopes", HTMLInputElement).value = settings.defaultScopes.join(" ");
  element("settings-ca", HTMLInputElement).value = settings.extraRootCaFile;
  element("settings-api", HTMLInputElement).value = settings.apiBaseUrl;
  element("settings-log-level", HTMLSelectElement).value = settings.logLevel;
  element("settings-windows-broker", HTMLInputElement).checked = settings.useWindowsBroker;
  showBrokerRedirect();
}

/** The broker redirect URI the app registration needs, for the client id typed so far. */
function showBrokerRedirect(): void {
  const clientId = element("settings-client-id", HTMLInputElement).value.trim() || "{client id}";
  element("settings-broker-redirect", HTMLElement).textContent = `ms-appx-web://Microsoft.AAD.BrokerPlugin/${clientId}`;
}

function read(): Settings {
  const cloud = element("settings-cloud", HTMLSelectElement).value;
  return {
    clientId: element("settings-client-id", HTMLInputElement).value.trim(),
    tenant: element("settings-tenant", HTMLInputElement).value.trim(),
    cloud: isCloud(cloud) ? cloud : "global",
    redirectUri: element("settings-redirect-uri", HTMLInputElement).value.trim(),
    defaultScopes: parseScopes(element("settings-scopes", HTMLInputElement).value),
    extraRootCaFile: element("settings-ca", HTMLInputElement).value.trim(),
    apiBaseUrl: element("settings-api", HTMLInputElement).value.trim(),
    logLevel: element("settings-log-level", HTMLSelectElement).value,
    useWindowsBroker: element("settings-windows-broker", HTMLInputElement).checked,
  };
}

function markInvalid(field: ConfigField | null, message: string | null): void {
  for (const input of element("settings-form", HTMLFormElement).querySelectorAll<HTMLElement>("[data-field]")) {
    input.classList.toggle("invalid", input.dataset.field === field);
  }
  const error = element("settings-error", HTMLElement);
  error.hidden = message === null;
  error.textContent = message ?? "";
  error.dataset.field = field ?? "";
}

async function open(): Promise<void> {
  const outcome = await commands.settingsGet();
  if (!outcome.ok) {
    showNotice(describeError(outcome.error));
    return;
  }
  fill(outcome.value);
  markInvalid(null, null);
  element("settings", HTMLElement).hidden = false;
}

async function save(): Promise<void> {
  const button = element("settings-save", HTMLButtonElement);
  button.disabled = true;
  try {
    const outcome = await commands.settingsSet(read());
    if (!outcome.ok) {
      const field = outcome.error.kind === "config" ? outcome.error.field : null;
      markInvalid(field, describeError(outcome.error));
      return;
    }
    markInvalid(null, null);
    element("settings", HTMLElement).hidden = true;
    const mode = outcome.value.mode;
    addActivity("Settings saved", mode?.kind === "configured" ? `signing in at ${mode.authority}` : "demo tenant", {
      outcome: "settingsSaved",
    });
    renderProfile(null);
    await refreshStatus();
    await refreshAccounts();
    await loadToken();
  } finally {
    button.disabled = false;
  }
}

const DIALECTS: readonly Dialect[] = ["msalPython", "msalNode"];

function isDialect(value: string): value is Dialect {
  return (DIALECTS as readonly string[]).includes(value);
}

function showCacheResult(text: string): void {
  const result = element("cache-result", HTMLElement);
  result.hidden = false;
  result.textContent = text;
}

/** An import in words: what came in, and each entry kept aside by its section and position (never its contents). */
export function describeImport(summary: ImportSummary): string {
  const kept = summary.warnings.map((w) => ` ${w.section} entry #${w.index + 1} was kept as it was, not used (${w.reason}).`);
  return (
    `Imported ${summary.accounts} account(s), ${summary.accessTokens} access token(s), ${summary.refreshTokens} refresh ` +
    `token(s); ${summary.keptForeign} entr${summary.keptForeign === 1 ? "y" : "ies"} of other apps or clouds kept.` +
    kept.join("")
  );
}

async function importCache(): Promise<void> {
  showCacheResult("Importing…");
  const outcome = await commands.cacheImport(element("cache-import-path", HTMLInputElement).value);
  if (!outcome.ok) {
    showCacheResult(describeError(outcome.error));
    return;
  }
  const text = describeImport(outcome.value);
  showCacheResult(text);
  addActivity("Token cache imported", text, { outcome: "cacheImported" });
  await refreshAccounts();
  await loadToken();
}

async function exportCache(): Promise<void> {
  const dialect = element("cache-export-dialect", HTMLSelectElement).value;
  const path = element("cache-export-path", HTMLInputElement).value;
  showCacheResult("Exporting…");
  const outcome = await commands.cacheExport(isDialect(dialect) ? dialect : "msalPython", path);
  if (!outcome.ok) {
    showCacheResult(describeError(outcome.error));
    return;
  }
  showCacheResult(`Written to ${path.trim()}, readable by you only.`);
  addActivity("Token cache exported", path.trim(), { outcome: "cacheExported" });
}

export function wireSettings(): void {
  element("cache-import-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    void importCache();
  });
  element("cache-export-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    void exportCache();
  });
  element("open-settings", HTMLButtonElement).addEventListener("click", () => void open());
  element("settings-close", HTMLButtonElement).addEventListener("click", () => {
    element("settings", HTMLElement).hidden = true;
  });
  element("settings-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    void save();
  });
}
