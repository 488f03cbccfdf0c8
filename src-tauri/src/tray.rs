//! The tray icon and its menu. The menu handler is a plain function over the core service ([`perform`]), so it is tested
//! without a status-notifier host (nothing can click a tray headless); the window offers the same actions as commands.

use graphdesk_core::engine::Account;
use graphdesk_core::session::TokenSummary;
use tauri::menu::{CheckMenuItem, Menu, MenuBuilder, MenuEvent, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Runtime};

use crate::events::{self, QuickRefreshDone};
use crate::state;

/// The tray's id, to find it again (tooltip updates).
pub const TRAY_ID: &str = "graphdesk-tray";

/// Prefix of the account items' ids (`account:<home account id>`).
const ACCOUNT_ITEM: &str = "account:";

/// What the tray menu can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayAction {
    QuickRefresh,
    ShowWindow,
    Quit,
}

/// The tooltip: the active account and how long its token lasts.
pub fn tooltip(summary: Option<&TokenSummary>, now: u64) -> String {
    match summary {
        None => "GraphDesk — not signed in".to_owned(),
        Some(s) if s.expires_on <= now => {
            format!("GraphDesk — {}: token expired", s.account.username)
        }
        Some(s) => {
            let minutes = (s.expires_on - now).div_ceil(60);
            format!(
                "GraphDesk — {}: token expires in {minutes} min",
                s.account.username
            )
        }
    }
}

/// The menu: quick refresh, the accounts to switch between (the active one checked), show window, quit.
fn menu<R: Runtime>(
    app: &AppHandle<R>,
    accounts: &[Account],
    active: Option<&str>,
) -> tauri::Result<Menu<R>> {
    let item = |action: TrayAction| {
        MenuItem::with_id(app, action.id(), action.label(), true, None::<&str>)
    };
    let mut menu = MenuBuilder::new(app).item(&item(TrayAction::QuickRefresh)?);
    if !accounts.is_empty() {
        menu = menu.separator();
    }
    for account in accounts {
        let checked = active == Some(account.home_account_id.as_str());
        menu = menu.item(&CheckMenuItem::with_id(
            app,
            format!("{ACCOUNT_ITEM}{}", account.home_account_id),
            &account.username,
            true,
            checked,
            None::<&str>,
        )?);
    }
    menu.separator()
        .item(&item(TrayAction::ShowWindow)?)
        .item(&item(TrayAction::Quit)?)
        .build()
}

/// Rebuilds the menu after the accounts or the active one changed.
pub fn accounts_changed<R: Runtime>(app: &AppHandle<R>) {
    let session = state::service(app).session();
    let accounts = session.as_ref().map(|s| s.accounts()).unwrap_or_default();
    let active = session.as_ref().and_then(|s| s.active());
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    match menu(app, &accounts, active.as_deref()) {
        Ok(menu) => {
            if let Err(error) = tray.set_menu(Some(menu)) {
                tracing::warn!(%error, "could not update the tray menu");
            }
        }
        Err(error) => tracing::warn!(%error, "could not build the tray menu"),
    }
    if accounts.is_empty() {
        show_token(app, None);
    }
}

/// Shows the token's account and expiry in the tooltip.
pub fn show_token<R: Runtime>(app: &AppHandle<R>, summary: Option<&TokenSummary>) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if let Some(tray) = app.tray_by_id(TRAY_ID)
        && let Err(error) = tray.set_tooltip(Some(tooltip(summary, now)))
    {
        tracing::warn!(%error, "could not update the tray tooltip");
    }
}

impl TrayAction {
    const ALL: [TrayAction; 3] = [Self::QuickRefresh, Self::ShowWindow, Self::Quit];

    /// The menu item id.
    pub fn id(self) -> &'static str {
        match self {
            Self::QuickRefresh => "quick-refresh",
            Self::ShowWindow => "show-window",
            Self::Quit => "quit",
        }
    }

    /// The menu item label.
    fn label(self) -> &'static str {
        match self {
            Self::QuickRefresh => "Quick refresh",
            Self::ShowWindow => "Show window",
            Self::Quit => "Quit GraphDesk",
        }
    }

    /// The action for a menu item id.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id() == id)
    }
}

/// Builds the tray icon with its menu.
pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let session = state::service(app).session();
    let accounts = session.as_ref().map(|s| s.accounts()).unwrap_or_default();
    let active = session.as_ref().and_then(|s| s.active());
    let menu = menu(app, &accounts, active.as_deref())?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(tauri::include_image!("../icons/tray.png"))
        .tooltip("GraphDesk — not signed in")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu_event)
        .build(app)?;
    Ok(())
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let id = event.id().as_ref();
    if let Some(account) = id.strip_prefix(ACCOUNT_ITEM) {
        switch_account(app, account);
        return;
    }
    match TrayAction::from_id(id) {
        Some(action) => perform(app, action),
        None => tracing::warn!(id, "unknown tray menu item"),
    }
}

/// Makes `account` the active one, from the tray.
fn switch_account<R: Runtime>(app: &AppHandle<R>, account: &str) {
    match state::service(app)
        .require_session()
        .and_then(|s| s.choose(account))
    {
        Ok(_) => events::accounts_changed(app),
        Err(error) => tracing::warn!(%error, "could not switch account from the tray"),
    }
}

/// Carries out a tray action.
pub fn perform<R: Runtime>(app: &AppHandle<R>, action: TrayAction) {
    match action {
        TrayAction::QuickRefresh => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let done = quick_refresh(state::service(&app)).await;
                if let QuickRefreshDone::Refreshed { result } = &done {
                    events::token_changed(&app, result);
                }
                crate::notify::quick_refresh_done(&app, &done);
                events::emit(&app, events::QUICK_REFRESH_DONE, done);
            });
        }
        TrayAction::ShowWindow => state::show_main_window(app),
        TrayAction::Quit => app.exit(0),
    }
}

/// Quick refresh as the tray reports it.
pub async fn quick_refresh(service: &graphdesk_core::GraphDesk) -> QuickRefreshDone {
    match service.quick_refresh().await {
        Ok(result) => QuickRefreshDone::Refreshed {
            result: Box::new(result),
        },
        Err(error) => {
            tracing::info!(%error, "quick refresh from the tray did not refresh");
            QuickRefreshDone::Failed {
                error: error.into(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc_error::IpcError;

    #[test]
    fn the_tooltip_names_the_account_and_the_minutes_left() {
        assert_eq!(tooltip(None, 0), "GraphDesk — not signed in");
        let summary = TokenSummary {
            account: Account {
                home_account_id: "uid.utid".into(),
                environment: "login.example".into(),
                realm: "organizations".into(),
                username: "ada@contoso.example".into(),
                name: None,
                local_account_id: "uid".into(),
                tenant_profiles: Vec::new(),
            },
            expires_on: 10_000,
            scopes: "User.Read".into(),
            source: graphdesk_core::engine::TokenSource::Refresh,
            cache_warning: None,
            decoded: None,
        };
        assert_eq!(
            tooltip(Some(&summary), 10_000 - 3_599),
            "GraphDesk — ada@contoso.example: token expires in 60 min"
        );
        assert_eq!(
            tooltip(Some(&summary), 10_000),
            "GraphDesk — ada@contoso.example: token expired"
        );
    }

    #[test]
    fn menu_ids_round_trip() {
        for action in TrayAction::ALL {
            assert_eq!(TrayAction::from_id(action.id()), Some(action));
        }
        assert_eq!(TrayAction::from_id("bogus"), None);
    }

    #[tokio::test]
    async fn quick_refresh_without_an_account_reports_not_signed_in() {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = crate::state::AppState::rooted_at(dir.path());
        match quick_refresh(state.service()).await {
            QuickRefreshDone::Failed {
                error: IpcError::NotSignedIn { .. },
            } => {}
            other => panic!("expected not signed in, got {other:?}"),
        }
    }
}
