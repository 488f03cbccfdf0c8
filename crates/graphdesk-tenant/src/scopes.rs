//! Scope handling as Entra does it: one resource per request, Graph scopes in long (`https://graph.microsoft.com/User.Read`)
//! or short (`User.Read`) form answered in short form, `.default` expanded to the app's permissions, and the OpenID
//! scopes (`openid profile email offline_access`) kept apart.

use crate::directory::{AppRegistration, GRAPH_RESOURCE};
use crate::oauth_error::OAuthError;

/// The OpenID Connect scopes, which name no resource.
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// A parsed `scope` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRequest {
    /// Graph permissions in short form, sorted, deduplicated (case as registered).
    pub graph: Vec<String>,
    /// Which OpenID scopes were asked for.
    pub oidc: Vec<String>,
}

impl ScopeRequest {
    /// Parses and checks `scope` against what `app` may request.
    pub fn parse(scope: &str, app: &AppRegistration) -> Result<Self, OAuthError> {
        let mut graph: Vec<String> = Vec::new();
        let mut oidc: Vec<String> = Vec::new();
        for raw in scope.split_whitespace() {
            let lower = raw.to_ascii_lowercase();
            if let Some(oidc_scope) = OIDC_SCOPES.iter().find(|s| **s == lower) {
                oidc.push((*oidc_scope).to_owned());
                continue;
            }
            let short = match raw.rsplit_once('/') {
                Some((resource, name)) if resource.eq_ignore_ascii_case(GRAPH_RESOURCE) => name,
                Some((resource, _))
                    if resource.eq_ignore_ascii_case("00000003-0000-0000-c000-000000000000") =>
                {
                    raw.rsplit('/').next().unwrap_or(raw)
                }
                Some(_) => {
                    return Err(OAuthError::new(
                        "invalid_scope",
                        500_011,
                        format!("The resource principal named {raw} was not found in the tenant."),
                    ));
                }
                None => raw,
            };
            if short == ".default" {
                graph.extend(app.graph_scopes.iter().cloned());
                continue;
            }
            let Some(registered) = app
                .graph_scopes
                .iter()
                .find(|s| s.eq_ignore_ascii_case(short))
            else {
                return Err(OAuthError::new(
                    "invalid_scope",
                    65_005,
                    format!(
                        "The application '{}' asked for scope '{short}' that doesn't exist on the resource or is not \
                         configured for the app.",
                        app.display_name
                    ),
                ));
            };
            graph.push(registered.clone());
        }
        if graph.is_empty() && oidc.iter().all(|s| s == "offline_access") {
            return Err(OAuthError::new(
                "invalid_scope",
                70_011,
                "The provided request must include a 'scope' input parameter.",
            ));
        }
        graph.sort_by_key(|s| s.to_ascii_lowercase());
        graph.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        oidc.sort();
        oidc.dedup();
        Ok(Self { graph, oidc })
    }

    /// Whether the request asks for an ID token (`openid`), or a refresh token (`offline_access`).
    pub fn wants(&self, oidc_scope: &str) -> bool {
        self.oidc.iter().any(|s| s == oidc_scope)
    }

    /// The `scope` of the token response: granted Graph scopes in short form plus the OpenID ones Entra echoes.
    pub fn granted(&self) -> String {
        let mut out: Vec<&str> = self.graph.iter().map(String::as_str).collect();
        out.extend(
            self.oidc
                .iter()
                .map(String::as_str)
                .filter(|s| *s != "offline_access"),
        );
        out.join(" ")
    }

    /// Whether every Graph scope here is in `consented` (case-insensitive).
    pub fn within(&self, consented: &[String]) -> bool {
        self.graph
            .iter()
            .all(|s| consented.iter().any(|c| c.eq_ignore_ascii_case(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::DEMO_CLIENT_ID;

    fn app() -> AppRegistration {
        AppRegistration::desktop(DEMO_CLIENT_ID, "GraphDesk (demo)")
    }

    #[test]
    fn long_and_short_graph_names_normalise_to_short() {
        let request = ScopeRequest::parse(
            "https://graph.microsoft.com/User.Read mail.read openid profile offline_access User.Read",
            &app(),
        )
        .expect("valid");
        assert_eq!(request.graph, vec!["Mail.Read", "User.Read"]);
        assert!(request.wants("offline_access") && request.wants("openid"));
        assert_eq!(request.granted(), "Mail.Read User.Read openid profile");
        assert!(request.within(&["user.read".into(), "Mail.Read".into()]));
        assert!(!request.within(&["User.Read".into()]));
    }

    #[test]
    fn default_expands_to_the_app_permissions() {
        let request =
            ScopeRequest::parse("https://graph.microsoft.com/.default", &app()).expect("valid");
        assert_eq!(request.graph.len(), 4);
    }

    #[test]
    fn unknown_scopes_and_resources_are_invalid_scope() {
        for bad in [
            "Directory.ReadWrite.All",
            "api://other/access",
            "offline_access",
            "",
        ] {
            let error = ScopeRequest::parse(bad, &app()).expect_err(bad);
            assert_eq!(error.error, "invalid_scope", "{bad}");
        }
    }
}
