//! Scopes as MSAL compares them: a web API is named by its scopes, and a cached token serves a request when its scopes are
//! a superset of the requested ones. Comparison is case-insensitive, Graph's long names (`https://graph.microsoft.com/
//! User.Read`) equal its short ones (`User.Read`), and the OpenID scopes (`openid profile offline_access`) are ignored —
//! the identity platform adds them to every request and leaves them out of the granted `scope`.

use std::collections::BTreeSet;
use std::fmt;

/// Scopes the identity platform adds to every request; they never decide whether a cached token fits.
pub const RESERVED_SCOPES: [&str; 3] = ["openid", "profile", "offline_access"];

/// Resource prefixes that mean Microsoft Graph, in every cloud.
const GRAPH_PREFIXES: [&str; 5] = [
    "https://graph.microsoft.com/",
    "https://graph.microsoft.us/",
    "https://dod-graph.microsoft.us/",
    "https://microsoftgraph.chinacloudapi.cn/",
    "00000003-0000-0000-c000-000000000000/",
];

/// A normalised set of scopes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Scopes(BTreeSet<String>);

impl Scopes {
    /// Parses a space-separated scope string.
    pub fn parse(text: &str) -> Self {
        Self::from_iter(text.split_whitespace())
    }

    /// Whether there are no (non-reserved) scopes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every scope here is in `granted`.
    pub fn is_subset_of(&self, granted: &Scopes) -> bool {
        self.0.is_subset(&granted.0)
    }

    /// The normalised scopes, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The normalised form as one string (the cache's index key).
    pub fn key(&self) -> String {
        self.0.iter().cloned().collect::<Vec<_>>().join(" ")
    }
}

impl<'a> FromIterator<&'a str> for Scopes {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        Self(iter.into_iter().filter_map(normalise).collect())
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.iter()).finish()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// One scope, normalised; `None` for reserved and empty scopes.
fn normalise(scope: &str) -> Option<String> {
    let lower = scope.trim().to_ascii_lowercase();
    if lower.is_empty() || RESERVED_SCOPES.contains(&lower.as_str()) {
        return None;
    }
    let short = GRAPH_PREFIXES
        .iter()
        .find_map(|prefix| lower.strip_prefix(prefix))
        .unwrap_or(&lower);
    Some(short.to_owned())
}

/// The scopes to send in a request: the caller's, plus the OpenID scopes (so the platform returns an ID token and a
/// refresh token), without duplicates, in a stable order.
pub fn request_scope(requested: &[String]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for scope in requested.iter().map(String::as_str).chain(RESERVED_SCOPES) {
        if !out.iter().any(|s| s.eq_ignore_ascii_case(scope)) {
            out.push(scope);
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_short_and_case_forms_are_equal() {
        let a = Scopes::parse(
            "https://graph.microsoft.com/User.Read Mail.Read openid profile offline_access",
        );
        let b = Scopes::parse("user.read MAIL.READ");
        assert_eq!(a, b);
        assert_eq!(a.key(), "mail.read user.read");
        assert_eq!(
            Scopes::parse("https://graph.microsoft.us/User.Read"),
            Scopes::parse("User.Read")
        );
    }

    #[test]
    fn subset_matching() {
        let granted = Scopes::parse("User.Read Mail.Read Calendars.Read");
        assert!(Scopes::parse("User.Read").is_subset_of(&granted));
        assert!(
            Scopes::parse("openid").is_subset_of(&granted),
            "reserved scopes ask for nothing"
        );
        assert!(!Scopes::parse("User.Read Files.Read").is_subset_of(&granted));
        assert!(
            !Scopes::parse("api://other/User.Read").is_subset_of(&granted),
            "another API's scope"
        );
    }

    #[test]
    fn request_scope_adds_openid_scopes_once() {
        let scope = request_scope(&["User.Read".into(), "openid".into()]);
        assert_eq!(scope, "User.Read openid profile offline_access");
    }
}
