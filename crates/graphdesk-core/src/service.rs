//! The one service object: every entry point — Tauri commands, the tray menu, deep links, the CLI — calls these methods,
//! so each behaviour is written once and tested here without a window.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;

use crate::cache_status::CacheStatus;
use crate::error::CoreError;
use crate::paths::AppPaths;
use crate::redirect::{self, RedirectError, RedirectUri};
use crate::session::{Session, SessionMode, TokenSummary};

/// The custom-scheme redirect URI GraphDesk registers with the OS and in app registrations.
pub use crate::config::DEFAULT_REDIRECT_URI;

/// What the first screen shows: who we are and what state the token cache is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub name: &'static str,
    pub version: &'static str,
    pub data_dir: String,
    pub redirect_uri: String,
    pub cache: CacheStatus,
    /// The session's kind (demo tenant or configured app); `None` while none is open.
    pub mode: Option<SessionMode>,
    /// Why the persisted cache was not loaded, when it was not.
    pub session_warning: Option<String>,
    /// The operating system (`linux`, `windows`, `macos`): the window offers Windows' own sign-ins only on Windows.
    pub platform: &'static str,
}

/// The outcome of one received sign-in redirect, safe to log and to show: the link's fingerprint, never its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RedirectReceipt {
    /// Counts links received since start (1, 2, …), so a window that missed some can tell which ones it has shown.
    pub sequence: u64,
    pub fingerprint: String,
    pub result: Result<(), RedirectError>,
}

/// How many redirect receipts the service remembers for the window (which may open after a link arrived).
const RECENT_REDIRECTS: usize = 20;

/// GraphDesk's core service.
#[derive(Debug)]
pub struct GraphDesk {
    paths: AppPaths,
    redirect_uri: RedirectUri,
    recent_redirects: Mutex<RecentRedirects>,
    session: RwLock<Option<Arc<Session>>>,
}

/// The last receipts and how many links came in all.
#[derive(Debug, Default)]
struct RecentRedirects {
    received: u64,
    receipts: VecDeque<RedirectReceipt>,
}

impl GraphDesk {
    /// A service over the given directories, redirecting to `graphdesk://auth`.
    pub fn new(paths: AppPaths) -> Result<Self, CoreError> {
        Ok(Self {
            paths,
            redirect_uri: RedirectUri::parse(DEFAULT_REDIRECT_URI)?,
            recent_redirects: Mutex::new(RecentRedirects::default()),
            session: RwLock::new(None),
        })
    }

    /// The directories in use.
    pub fn paths(&self) -> &AppPaths {
        &self.paths
    }

    /// Name, version, and the token cache's state on disk.
    pub fn status(&self) -> AppStatus {
        AppStatus {
            name: crate::APP_NAME,
            version: crate::APP_VERSION,
            data_dir: self.paths.data_dir().display().to_string(),
            redirect_uri: self.redirect_uri.as_str().to_owned(),
            cache: match self.session() {
                Some(session) => CacheStatus::inspect(session.cache_path()),
                None => CacheStatus::inspect(&self.paths.cache_file()),
            },
            mode: self.session().map(|s| s.mode().clone()),
            session_warning: self.session().and_then(|s| s.warning().map(str::to_owned)),
            platform: std::env::consts::OS,
        }
    }

    /// Opens `session` (replacing any other): from now on sign-ins, tokens and redirects go through it.
    pub fn attach(&self, session: Session) -> Arc<Session> {
        let session = Arc::new(session);
        *self.session.write().unwrap_or_else(|p| p.into_inner()) = Some(session.clone());
        session
    }

    /// The open session.
    pub fn session(&self) -> Option<Arc<Session>> {
        self.session
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The open session, or "not signed in" when there is none.
    pub fn require_session(&self) -> Result<Arc<Session>, CoreError> {
        self.session().ok_or(CoreError::NotSignedIn)
    }

    /// Silently gets a token for the active account (cache or refresh). Without a session or account: not signed in.
    pub async fn quick_refresh(&self) -> Result<TokenSummary, CoreError> {
        self.require_session()?.quick_refresh().await
    }

    /// Takes a sign-in redirect delivered by the OS (deep link). Hostile links are refused with the reason; a well-formed
    /// one is refused too while no interactive sign-in is waiting for it, so a link can never start a token request.
    pub fn receive_redirect(&self, raw: &str) -> RedirectReceipt {
        let fingerprint = redirect::fingerprint(raw);
        // Only a sign-in in progress can take a redirect; without a session every well-formed one is unsolicited.
        let result = match self.session() {
            Some(session) => session.engine().deliver_redirect(raw),
            None => redirect::parse_redirect(raw, &self.redirect_uri)
                .and(Err(RedirectError::NoSignInInProgress)),
        };
        match &result {
            Ok(()) => tracing::info!(%fingerprint, "sign-in redirect accepted"),
            Err(reason) => tracing::warn!(%fingerprint, %reason, "sign-in redirect rejected"),
        }
        let mut recent = self.recent();
        recent.received += 1;
        let receipt = RedirectReceipt {
            sequence: recent.received,
            fingerprint,
            result,
        };
        if recent.receipts.len() == RECENT_REDIRECTS {
            recent.receipts.pop_front();
        }
        recent.receipts.push_back(receipt.clone());
        receipt
    }

    /// The last redirects received, oldest first: a link that started the app arrives before the window can listen.
    pub fn recent_redirects(&self) -> Vec<RedirectReceipt> {
        self.recent().receipts.iter().cloned().collect()
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, RecentRedirects> {
        // Each update is a single push/pop, so a panic elsewhere cannot leave the list inconsistent.
        self.recent_redirects
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> (tempfile::TempDir, GraphDesk) {
        let dir = tempfile::tempdir().expect("temp dir");
        let service = GraphDesk::new(AppPaths::rooted_at(dir.path())).expect("service");
        (dir, service)
    }

    #[test]
    fn status_reports_the_cache_file() {
        let (dir, service) = service();
        let status = service.status();
        assert_eq!(status.name, "GraphDesk");
        assert_eq!(status.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(status.redirect_uri, "graphdesk://auth");
        assert!(matches!(status.cache, CacheStatus::Absent { .. }));
        std::fs::write(dir.path().join("token_cache.bin"), b"x").expect("write");
        assert!(matches!(
            service.status().cache,
            CacheStatus::Present { bytes: 1, .. }
        ));
    }

    #[tokio::test]
    async fn quick_refresh_without_a_session_is_not_signed_in() {
        let (_dir, service) = service();
        assert!(matches!(
            service.quick_refresh().await,
            Err(CoreError::NotSignedIn)
        ));
        assert_eq!(service.status().mode, None);
    }

    #[test]
    fn redirects_are_fingerprinted_and_refused_without_a_pending_sign_in() {
        let (_dir, service) = service();
        let raw = "graphdesk://auth?code=x&state=y";
        let receipt = service.receive_redirect(raw);
        assert_eq!(receipt.fingerprint, redirect::fingerprint(raw));
        assert_eq!(receipt.result, Err(RedirectError::NoSignInInProgress));
        let hostile = service.receive_redirect("graphdesk://auth?code=x&state=y&access_token=t");
        assert!(matches!(
            hostile.result,
            Err(RedirectError::ForbiddenParameter { .. })
        ));
        let recent = service.recent_redirects();
        assert_eq!(recent, vec![receipt, hostile]);
    }

    #[test]
    fn recent_redirects_keep_the_last_twenty() {
        let (_dir, service) = service();
        for i in 0..25 {
            service.receive_redirect(&format!("graphdesk://auth?code=c{i}&state=s"));
        }
        let recent = service.recent_redirects();
        assert_eq!(recent.len(), RECENT_REDIRECTS);
        assert_eq!(
            recent[0].fingerprint,
            redirect::fingerprint("graphdesk://auth?code=c5&state=s")
        );
        assert_eq!((recent[0].sequence, recent[19].sequence), (6, 25));
        assert_eq!(
            recent[19].fingerprint,
            redirect::fingerprint("graphdesk://auth?code=c24&state=s")
        );
    }
}
