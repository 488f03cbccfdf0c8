//! The tray icon and its menu. The menu handler is a plain function over the core service ([`perform`]), so it is tested
//! without a status-notifier host (nothing can click a tray headless); the window offers the same actions as commands.

use graphdesk_core::engine::Account;
use graphdesk_core::session::TokenSummary;
use tauri::menu::{CheckMenuItem, Menu, MenuBuilder, MenuEvent, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Runtime};

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
pub fn build<R: Runtime>(app: &AppHandle<R>, on_choice: OnChoice<R>) -> tauri::Result<()> {
    let session = state::service(app).session();
    let accounts = session.as_ref().map(|s| s.accounts()).unwrap_or_default();
    let active = session.as_ref().and_then(|s| s.active());
    let menu = menu(app, &accounts, active.as_deref())?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(tauri::include_image!("../icons/tray.png"))
        .tooltip("GraphDesk — not signed in")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(move |app, event: MenuEvent| {
            let id = event.id().as_ref();
            match TrayChoice::from_id(id) {
                Some(choice) => on_choice(app, choice),
                None => tracing::warn!(id, "unknown tray menu item"),
            }
        })
        .build(app)?;
    Ok(())
}

/// A click in the tray's menu, as [`crate::tray_actions`] carries it out: the tray only shows things.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayChoice {
    Action(TrayAction),
    /// Make this account (its home account id) the active one.
    Account(String),
}

impl TrayChoice {
    /// The choice a menu item id stands for.
    pub fn from_id(id: &str) -> Option<Self> {
        match id.strip_prefix(ACCOUNT_ITEM) {
            Some(account) => Some(Self::Account(account.to_owned())),
            None => TrayAction::from_id(id).map(Self::Action),
        }
    }
}

/// What the app does with a choice made in the tray.
pub type OnChoice<R> = fn(&AppHandle<R>, TrayChoice);

#[cfg(test)]
mod tests {
    use super::*;

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
            token_id: "0123456789abcdef".into(),
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
        assert_eq!(
            TrayChoice::from_id("account:uid.utid"),
            Some(TrayChoice::Account("uid.utid".into()))
        );
        assert_eq!(
            TrayChoice::from_id("quit"),
            Some(TrayChoice::Action(TrayAction::Quit))
        );
    }
}
