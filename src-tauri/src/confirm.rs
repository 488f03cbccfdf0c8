//! Confirming a settings change that repoints sign-in: a new authority (tenant or cloud), an extra trusted root CA, or a
//! redirect URI decides where GraphDesk sends users to sign in, whom it trusts, and where the answer goes — so the
//! window alone (which a compromised page could drive) cannot change them: a native dialog, outside the webview, asks.
//! What needs asking is a plain function, tested; the asking sits behind [`Confirmer`] so tests answer it themselves.

use std::sync::Arc;

use graphdesk_core::clock::BoxFuture;
use graphdesk_core::settings::Settings;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

/// The title of the confirmation dialog (end-to-end tests find the window by it).
pub const TITLE: &str = "GraphDesk — confirm where you sign in";

/// Asks the user to confirm a question; answers whether they did.
#[derive(Clone)]
pub struct Confirmer(Arc<dyn Fn(String) -> BoxFuture<'static, bool> + Send + Sync>);

impl Confirmer {
    /// Asks `question`.
    pub async fn ask(&self, question: String) -> bool {
        (self.0)(question).await
    }
}

impl std::fmt::Debug for Confirmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Confirmer")
    }
}

/// What in `new` repoints sign-in compared with `old`, in words; empty when nothing does. Demo mode signs in only at
/// the built-in tenant, so moving to it needs no confirmation.
pub fn repointing_changes(old: &Settings, new: &Settings) -> Vec<String> {
    if !new.is_configured() {
        return Vec::new();
    }
    let mut changes = Vec::new();
    let configured_before = old.is_configured();
    if !configured_before || old.authority_url() != new.authority_url() {
        changes.push(format!("sign in at {}", new.authority_url()));
    }
    let ca = new.extra_root_ca_file.trim();
    if ca != old.extra_root_ca_file.trim() && !ca.is_empty() {
        changes.push(format!(
            "trust the certificates in {ca} as root authorities for every host"
        ));
    }
    if configured_before && new.redirect_uri.trim() != old.redirect_uri.trim() {
        changes.push(format!(
            "receive sign-in answers at {}",
            new.redirect_uri.trim()
        ));
    }
    changes
}

/// The question the dialog asks.
pub fn question(changes: &[String]) -> String {
    format!(
        "These settings make GraphDesk:\n\n• {}\n\nUse them only if you, or your administrator, chose them.",
        changes.join("\n• ")
    )
}

/// The native dialog of the running app.
pub fn dialog<R: Runtime>(app: &AppHandle<R>) -> Confirmer {
    let app = app.clone();
    Confirmer(Arc::new(move |question: String| {
        let (answer, answered) = tokio::sync::oneshot::channel();
        app.dialog()
            .message(question)
            .title(TITLE)
            .kind(MessageDialogKind::Warning)
            .buttons(MessageDialogButtons::OkCancelCustom(
                "Use these settings".into(),
                "Cancel".into(),
            ))
            .show(move |accepted| {
                let _ = answer.send(accepted);
            });
        Box::pin(async move { answered.await.unwrap_or(false) })
    }))
}

/// A confirmer that always answers `accepted` (tests).
#[cfg(test)]
pub fn always(accepted: bool) -> Confirmer {
    Confirmer(Arc::new(move |_| Box::pin(async move { accepted })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configured(tenant: &str) -> Settings {
        Settings {
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            tenant: tenant.into(),
            ..Settings::default()
        }
    }

    #[test]
    fn a_new_authority_ca_or_redirect_needs_asking_and_nothing_else_does() {
        let demo = Settings::default();
        let contoso = configured("contoso.onmicrosoft.com");
        assert_eq!(
            repointing_changes(&demo, &contoso),
            ["sign in at https://login.microsoftonline.com/contoso.onmicrosoft.com"]
        );
        assert!(repointing_changes(&contoso, &contoso).is_empty());
        assert!(
            repointing_changes(&contoso, &demo).is_empty(),
            "back to demo mode"
        );
        let scopes = Settings {
            default_scopes: vec!["Mail.Read".into()],
            log_level: "debug".into(),
            ..contoso.clone()
        };
        assert!(repointing_changes(&contoso, &scopes).is_empty());
        let proxy = Settings {
            extra_root_ca_file: "/etc/proxy-ca.pem".into(),
            redirect_uri: "http://127.0.0.1".into(),
            ..contoso.clone()
        };
        let changes = repointing_changes(&contoso, &proxy);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert!(changes[0].contains("/etc/proxy-ca.pem") && changes[1].contains("127.0.0.1"));
        assert!(question(&changes).contains("• trust the certificates"));
    }
}
