//! Sign-ins waiting for their redirect. Each interactive request registers its `state`; a redirect (deep link or loopback
//! request) is delivered only to the request whose `state` it carries — compared in constant time, used once, and only
//! before it expires. Anything else is refused with the reason, and no token request follows.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::oneshot;

use crate::redirect::{AuthorizationResponse, RedirectError, RedirectUri, parse_redirect};
use crate::secret::OAuthState;

/// How many used states are remembered to tell "replayed" from "unknown".
const REMEMBERED_USED: usize = 64;

struct Waiting {
    state: OAuthState,
    expires: u64,
    redirect_uri: RedirectUri,
    sender: oneshot::Sender<AuthorizationResponse>,
}

/// The registry.
pub struct PendingAuthorizations {
    default_redirect: RedirectUri,
    waiting: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    waiting: HashMap<u64, Waiting>,
    /// SHA-256 prefixes of states already delivered.
    used: Vec<String>,
}

impl std::fmt::Debug for PendingAuthorizations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAuthorizations")
            .finish_non_exhaustive()
    }
}

impl PendingAuthorizations {
    /// A registry whose redirects go to `default_redirect` unless a request names another (loopback).
    pub fn new(default_redirect: RedirectUri) -> Self {
        Self {
            default_redirect,
            waiting: Mutex::new(Inner::default()),
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a sign-in; the receiver gets its redirect. `redirect_uri` defaults to the app's.
    pub fn register(
        &self,
        state: OAuthState,
        expires: u64,
        redirect_uri: Option<RedirectUri>,
    ) -> (u64, oneshot::Receiver<AuthorizationResponse>) {
        let (sender, receiver) = oneshot::channel();
        let mut inner = self.inner();
        inner.next_id += 1;
        let id = inner.next_id;
        let redirect_uri = redirect_uri.unwrap_or_else(|| self.default_redirect.clone());
        inner.waiting.insert(
            id,
            Waiting {
                state,
                expires,
                redirect_uri,
                sender,
            },
        );
        (id, receiver)
    }

    /// Forgets a sign-in (cancelled or timed out); a later redirect for it is refused.
    pub fn forget(&self, id: u64) {
        self.inner().waiting.remove(&id);
    }

    /// Whether any sign-in waits.
    pub fn is_empty(&self) -> bool {
        self.inner().waiting.is_empty()
    }

    /// Delivers a redirect to the sign-in it answers.
    pub fn deliver(&self, raw: &str, now: u64) -> Result<(), RedirectError> {
        let mut inner = self.inner();
        let url = url::Url::parse(raw).map_err(|_| RedirectError::Malformed)?;
        let target = inner
            .waiting
            .values()
            .find(|w| w.redirect_uri.is_target_of(&url))
            .map(|w| w.redirect_uri.clone())
            .unwrap_or_else(|| self.default_redirect.clone());
        let response = parse_redirect(raw, &target)?;
        let state = match &response {
            AuthorizationResponse::Code { state, .. } => Some(state.clone()),
            AuthorizationResponse::Error { state, .. } => state.clone(),
        };
        let Some(state) = state else {
            return Err(if inner.waiting.is_empty() {
                RedirectError::NoSignInInProgress
            } else {
                RedirectError::MissingParameter {
                    name: "state".into(),
                }
            });
        };
        let id = inner
            .waiting
            .iter()
            .find(|(_, w)| w.state.matches(state.secret()))
            .map(|(id, _)| *id);
        let fingerprint = crate::redirect::fingerprint(state.secret());
        let Some(id) = id else {
            return Err(if inner.used.contains(&fingerprint) {
                RedirectError::ReplayedState
            } else if inner.waiting.is_empty() {
                RedirectError::NoSignInInProgress
            } else {
                RedirectError::UnknownState
            });
        };
        let waiting = inner
            .waiting
            .remove(&id)
            .ok_or(RedirectError::UnknownState)?;
        if inner.used.len() == REMEMBERED_USED {
            inner.used.remove(0);
        }
        inner.used.push(fingerprint);
        if now >= waiting.expires {
            return Err(RedirectError::ExpiredState);
        }
        // A receiver gone (sign-in cancelled a moment ago) means nobody waits for it.
        waiting
            .sender
            .send(response)
            .map_err(|_| RedirectError::NoSignInInProgress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> PendingAuthorizations {
        PendingAuthorizations::new(RedirectUri::parse("graphdesk://auth").expect("uri"))
    }

    #[tokio::test]
    async fn delivers_once_to_the_matching_state() {
        let pending = registry();
        let (_, mut other) = pending.register(OAuthState::new("s-other"), 100, None);
        let (_, receiver) = pending.register(OAuthState::new("s-1"), 100, None);
        assert_eq!(
            pending.deliver("graphdesk://auth?code=c&state=s-1", 50),
            Ok(())
        );
        assert!(matches!(
            receiver.await,
            Ok(AuthorizationResponse::Code { .. })
        ));
        assert!(other.try_recv().is_err(), "the other sign-in got nothing");
        assert_eq!(
            pending.deliver("graphdesk://auth?code=c&state=s-1", 50),
            Err(RedirectError::ReplayedState)
        );
        assert_eq!(
            pending.deliver("graphdesk://auth?code=c&state=s-2", 50),
            Err(RedirectError::UnknownState)
        );
        assert_eq!(
            pending.deliver("graphdesk://auth?code=c", 50),
            Err(RedirectError::MissingParameter {
                name: "state".into()
            })
        );
    }

    #[test]
    fn expired_forgotten_and_idle() {
        let pending = registry();
        assert_eq!(
            pending.deliver("graphdesk://auth?code=c&state=s", 0),
            Err(RedirectError::NoSignInInProgress)
        );
        assert!(matches!(
            pending.deliver("graphdesk://auth?code=c&state=s&id_token=x", 0),
            Err(RedirectError::ForbiddenParameter { .. })
        ));
        let (_, _receiver) = pending.register(OAuthState::new("s"), 100, None);
        assert_eq!(
            pending.deliver("graphdesk://auth?code=c&state=s", 100),
            Err(RedirectError::ExpiredState)
        );
        let (id, _receiver) = pending.register(OAuthState::new("t"), 100, None);
        pending.forget(id);
        assert!(pending.is_empty());
        assert_eq!(
            pending.deliver("graphdesk://auth?code=c&state=t", 0),
            Err(RedirectError::NoSignInInProgress)
        );
    }

    #[tokio::test]
    async fn loopback_requests_match_their_own_redirect_uri() {
        let pending = registry();
        let loopback = RedirectUri::parse("http://127.0.0.1:53100/").expect("uri");
        let (_, receiver) = pending.register(OAuthState::new("L"), 100, Some(loopback));
        assert_eq!(
            pending.deliver("http://127.0.0.1:53100/?code=c&state=L", 1),
            Ok(())
        );
        assert!(receiver.await.is_ok());
    }
}
