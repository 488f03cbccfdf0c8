// The Graph panel's request bar: method, path, scopes and body go to the shell; status, time, ids, headers and the
// pretty-printed body come back. "Next page" follows @odata.nextLink.
import { commands } from "./ipc";
import type { CallError } from "./ipc";
import type { ApiResult, GraphRequest } from "./ipc.gen";
import { addActivity, describeError, element } from "./view";

const METHODS: readonly GraphRequest["method"][] = ["GET", "POST", "PATCH", "PUT", "DELETE"];

function isMethod(value: string): value is GraphRequest["method"] {
  return (METHODS as readonly string[]).includes(value);
}

/** The scopes typed in the bar: space- or comma-separated. */
export function parseScopes(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s.length > 0);
}

function renderResult(result: ApiResult): void {
  element("graph-result", HTMLElement).hidden = false;
  const status = element("graph-status", HTMLElement);
  status.textContent = `${result.status}`;
  status.className = `pill ${result.status < 300 ? "present" : "unreadable"}`;
  element("graph-elapsed", HTMLElement).textContent = `${result.elapsedMs} ms${result.attempts > 1 ? ` · ${result.attempts} attempts` : ""}`;
  element("graph-request-id", HTMLElement).textContent = result.requestId ? `request-id ${result.requestId}` : "";
  element("graph-headers", HTMLElement).textContent = result.headers.map(([name, value]) => `${name}: ${value}`).join("\n");
  const body =
    result.json !== null && result.json !== undefined
      ? JSON.stringify(result.json, null, 2)
      : (result.text ?? `${result.bodyBytes} bytes of binary content`);
  element("graph-body-out", HTMLElement).textContent = body;
  const next = element("graph-next", HTMLButtonElement);
  next.hidden = result.nextLink === null;
  next.dataset.link = result.nextLink ?? "";
}

function renderError(error: CallError): void {
  element("graph-result", HTMLElement).hidden = false;
  const status = element("graph-status", HTMLElement);
  status.className = "pill unreadable";
  element("graph-next", HTMLButtonElement).hidden = true;
  element("graph-headers", HTMLElement).textContent = "";
  if (error.kind === "graph") {
    status.textContent = `${error.detail.status}`;
    element("graph-request-id", HTMLElement).textContent = error.detail.requestId ? `request-id ${error.detail.requestId}` : "";
    element("graph-elapsed", HTMLElement).textContent = error.detail.code;
  } else {
    status.textContent = error.kind;
    element("graph-request-id", HTMLElement).textContent = "";
    element("graph-elapsed", HTMLElement).textContent = "";
  }
  element("graph-body-out", HTMLElement).textContent = describeError(error);
}

async function send(path: string): Promise<void> {
  const method = element("graph-method", HTMLSelectElement).value;
  if (!isMethod(method)) return;
  const button = element("graph-send", HTMLButtonElement);
  button.disabled = true;
  try {
    const outcome = await commands.graphRequest({
      account: null,
      method,
      path,
      body: element("graph-body", HTMLTextAreaElement).value,
      scopes: parseScopes(element("graph-scopes", HTMLInputElement).value),
    });
    if (outcome.ok) {
      renderResult(outcome.value);
      addActivity(`${method} ${path.length > 60 ? `${path.slice(0, 60)}…` : path}`, `${outcome.value.status}`, { outcome: "graph" });
    } else {
      renderError(outcome.error);
    }
  } finally {
    button.disabled = false;
  }
}

export function wireGraph(): void {
  element("graph-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    void send(element("graph-path", HTMLInputElement).value);
  });
  element("graph-next", HTMLButtonElement).addEventListener("click", (event) => {
    const link = (event.currentTarget as HTMLButtonElement).dataset.link;
    if (link) void send(link);
  });
}
