//! Faults tests inject into the running tenant: delays, error statuses with `Retry-After`, malformed bodies, dropped
//! connections, and OAuth refusals (`invalid_grant` with a suberror, `interaction_required`), each aimed at one endpoint
//! family and firing a given number of times (or until cleared).

use serde::{Deserialize, Serialize};

/// Which requests a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultTarget {
    /// `…/oauth2/v2.0/token`
    Token,
    /// `…/oauth2/v2.0/devicecode`
    DeviceCode,
    /// `…/oauth2/v2.0/authorize`
    Authorize,
    /// OIDC discovery and JWKS.
    Discovery,
    /// `/v1.0/…` and `/beta/…`
    Graph,
}

impl FaultTarget {
    /// The target a request path belongs to, if any.
    pub fn of_path(path: &str) -> Option<Self> {
        if path.starts_with("/v1.0/") || path.starts_with("/beta/") {
            Some(Self::Graph)
        } else if path.ends_with("/oauth2/v2.0/token") {
            Some(Self::Token)
        } else if path.ends_with("/oauth2/v2.0/devicecode") {
            Some(Self::DeviceCode)
        } else if path.ends_with("/oauth2/v2.0/authorize") {
            Some(Self::Authorize)
        } else if path.contains("/.well-known/")
            || path.ends_with("/discovery/v2.0/keys")
            || path.ends_with("/discovery/instance")
        {
            Some(Self::Discovery)
        } else {
            None
        }
    }
}

/// What a fault does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer normally, after `ms` milliseconds.
    Delay { ms: u64 },
    /// Answer with `status` (429, 500, 503, …) and, when given, `Retry-After: retry_after` seconds.
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
    /// Like `Status`, with `Retry-After` as an HTTP date `retry_after` seconds from now (RFC 9110 §10.2.3 allows both;
    /// Graph and Entra send either).
    StatusWithRetryAfterDate { status: u16, retry_after: u64 },
    /// Answer 200 with a body that is not JSON.
    MalformedBody,
    /// Close the connection without answering.
    DropConnection,
    /// Token endpoint: `invalid_grant`, with `suberror` (e.g. `bad_token`, `basic_action`) and an AADSTS code.
    InvalidGrant {
        suberror: Option<String>,
        aadsts: Option<u32>,
    },
    /// Token endpoint: `interaction_required` (AADSTS50079 by default), optionally with a `claims` challenge.
    InteractionRequired {
        aadsts: Option<u32>,
        claims: Option<String>,
    },
    /// Token or device-code endpoint: a successful answer with `field` set to `value` (`null` removes it) — the odd
    /// numbers and missing fields a client must survive (`expires_in` past any clock, a string `interval`, …).
    AnswerWith {
        field: String,
        value: serde_json::Value,
    },
    /// Graph: 401 `insufficient_claims` for tokens issued before now, with a claims challenge (CAE).
    ClaimsChallenge,
    /// The same claims challenge as the second of two `WWW-Authenticate` headers, after a `PoP nonce=…` challenge (a
    /// resource that accepts both token types answers so).
    ClaimsChallengeBesidePop,
}

/// `body` with an installed `AnswerWith` fault for `target` applied (one firing), for a successful answer.
pub fn answer_with(
    tenant: &crate::tenant::Tenant,
    target: FaultTarget,
    body: &mut serde_json::Value,
) {
    let fault = tenant.store().faults.take(target, |f| {
        matches!(f.action, FaultAction::AnswerWith { .. })
    });
    if let Some(FaultAction::AnswerWith { field, value }) = fault
        && let Some(object) = body.as_object_mut()
    {
        if value.is_null() {
            object.remove(&field);
        } else {
            object.insert(field, value);
        }
    }
}

/// A fault and how often it fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    pub target: FaultTarget,
    pub action: FaultAction,
    /// Fires this many times, then disappears; `None` until cleared.
    pub times: Option<u32>,
    /// When the fault was installed (tenant clock); a claims challenge spares tokens issued after it.
    #[serde(default)]
    pub installed_at: u64,
}

impl Fault {
    /// A fault firing once.
    pub fn once(target: FaultTarget, action: FaultAction) -> Self {
        Self {
            target,
            action,
            times: Some(1),
            installed_at: 0,
        }
    }

    /// A fault firing `times` times.
    pub fn times(target: FaultTarget, action: FaultAction, times: u32) -> Self {
        Self {
            target,
            action,
            times: Some(times),
            installed_at: 0,
        }
    }

    /// A fault firing until cleared.
    pub fn always(target: FaultTarget, action: FaultAction) -> Self {
        Self {
            target,
            action,
            times: None,
            installed_at: 0,
        }
    }
}

/// The installed faults.
#[derive(Debug, Default)]
pub struct Faults {
    active: Vec<Fault>,
}

impl Faults {
    /// Installs `fault`, stamped with the tenant's time `now`.
    pub fn add(&mut self, mut fault: Fault, now: u64) {
        fault.installed_at = now;
        self.active.push(fault);
    }

    pub fn clear(&mut self) {
        self.active.clear();
    }

    /// Takes the first fault for `target` that `accepts`, counting it down.
    pub fn take(
        &mut self,
        target: FaultTarget,
        accepts: impl Fn(&Fault) -> bool,
    ) -> Option<FaultAction> {
        let index = self
            .active
            .iter()
            .position(|f| f.target == target && accepts(f))?;
        let fault = &mut self.active[index];
        let action = fault.action.clone();
        match &mut fault.times {
            Some(1) => {
                self.active.remove(index);
            }
            Some(n) => *n -= 1,
            None => {}
        }
        Some(action)
    }

    /// The installed faults.
    pub fn list(&self) -> &[Fault] {
        &self.active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_count_down_and_match_by_target() {
        let mut faults = Faults::default();
        faults.add(
            Fault::times(FaultTarget::Token, FaultAction::MalformedBody, 2),
            0,
        );
        faults.add(
            Fault::always(FaultTarget::Graph, FaultAction::Delay { ms: 1 }),
            0,
        );
        assert_eq!(
            faults.take(FaultTarget::Graph, |_| true),
            Some(FaultAction::Delay { ms: 1 })
        );
        assert_eq!(
            faults.take(FaultTarget::Graph, |_| true),
            Some(FaultAction::Delay { ms: 1 })
        );
        assert!(
            faults
                .take(FaultTarget::Token, |f| matches!(
                    f.action,
                    FaultAction::DropConnection
                ))
                .is_none()
        );
        assert!(faults.take(FaultTarget::Token, |_| true).is_some());
        assert!(faults.take(FaultTarget::Token, |_| true).is_some());
        assert!(faults.take(FaultTarget::Token, |_| true).is_none());
        assert_eq!(
            FaultTarget::of_path("/common/oauth2/v2.0/token"),
            Some(FaultTarget::Token)
        );
        assert_eq!(FaultTarget::of_path("/v1.0/me"), Some(FaultTarget::Graph));
        assert_eq!(FaultTarget::of_path("/_admin/faults"), None);
    }
}
