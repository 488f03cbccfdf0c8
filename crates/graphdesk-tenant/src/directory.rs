//! Who exists in the emulated tenant: tenants, users and app registrations, with a seeded demo directory (stable ids,
//! so caches survive restarts) and a builder for tests.

use serde::Serialize;

/// The well-known tenant id of personal Microsoft accounts (`consumers`).
pub const CONSUMERS_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// The demo tenant's id and domain.
pub const DEMO_TENANT_ID: &str = "7e4a1b2c-3d5e-4f60-8a71-92b3c4d5e6f7";
pub const DEMO_TENANT_DOMAIN: &str = "contoso.example";

/// The demo app registration GraphDesk uses in demo mode.
pub const DEMO_CLIENT_ID: &str = "5a1e0d3c-9b7f-4e21-8c6d-0f2a4b6c8e10";

/// Microsoft Graph's resource URI and application id.
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// A directory tenant.
#[derive(Debug, Clone, Serialize)]
pub struct TenantInfo {
    pub id: String,
    pub domain: String,
    pub display_name: String,
}

/// A user who can sign in.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub object_id: String,
    pub tenant_id: String,
    pub upn: String,
    pub display_name: String,
    #[serde(skip)]
    pub password: String,
    pub job_title: Option<String>,
    /// Multi-factor authentication required: username/password gets `interaction_required` (AADSTS50076).
    pub needs_mfa: bool,
    /// A personal Microsoft account (consumers tenant): username/password is refused.
    pub personal: bool,
    pub has_photo: bool,
}

impl User {
    /// A work account in `tenant_id`, with a photo, no MFA.
    pub fn new(tenant_id: &str, upn: &str, display_name: &str, password: &str) -> Self {
        Self {
            object_id: uuid::Uuid::new_v4().to_string(),
            tenant_id: tenant_id.to_owned(),
            upn: upn.to_owned(),
            display_name: display_name.to_owned(),
            password: password.to_owned(),
            job_title: None,
            needs_mfa: false,
            personal: false,
            has_photo: true,
        }
    }

    /// With a fixed object id (stable across restarts).
    pub fn with_object_id(mut self, object_id: &str) -> Self {
        self.object_id = object_id.to_owned();
        self
    }

    pub fn with_job_title(mut self, title: &str) -> Self {
        self.job_title = Some(title.to_owned());
        self
    }

    pub fn needing_mfa(mut self) -> Self {
        self.needs_mfa = true;
        self
    }

    pub fn without_photo(mut self) -> Self {
        self.has_photo = false;
        self
    }

    /// Marks the user as a personal account (the tenant id becomes the consumers tenant).
    pub fn personal(mut self) -> Self {
        self.personal = true;
        self.tenant_id = CONSUMERS_TENANT_ID.to_owned();
        self
    }
}

/// An app registration (a public client: desktop apps have no secret).
#[derive(Debug, Clone, Serialize)]
pub struct AppRegistration {
    pub client_id: String,
    pub display_name: String,
    /// Exact custom-scheme URIs, and `http://localhost` / `http://127.0.0.1` (any port matches, RFC 8252 §7.3).
    pub redirect_uris: Vec<String>,
    /// Delegated Graph permissions the app may request (short names: `User.Read`, `Mail.Read`, …).
    pub graph_scopes: Vec<String>,
    /// Whether personal Microsoft accounts may sign in to this app.
    pub allow_personal_accounts: bool,
    /// Permissions an administrator consented to for every user (no consent page for these).
    pub admin_consented: Vec<String>,
}

impl AppRegistration {
    /// A registration with GraphDesk's redirect URIs and the Graph permissions it uses.
    pub fn desktop(client_id: &str, display_name: &str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            display_name: display_name.to_owned(),
            redirect_uris: vec![
                "graphdesk://auth".to_owned(),
                format!("msal{client_id}://auth"),
                "http://localhost".to_owned(),
                "http://127.0.0.1".to_owned(),
            ],
            graph_scopes: [
                "User.Read",
                "User.ReadBasic.All",
                "Mail.Read",
                "Calendars.Read",
            ]
            .map(String::from)
            .to_vec(),
            allow_personal_accounts: true,
            admin_consented: vec!["User.Read".to_owned()],
        }
    }

    /// Whether `uri` is one of this app's redirect URIs (loopback: any port, RFC 8252 §7.3).
    pub fn accepts_redirect(&self, uri: &str) -> bool {
        let Ok(url) = url::Url::parse(uri) else {
            return false;
        };
        if url.fragment().is_some() {
            return false;
        }
        self.redirect_uris.iter().any(|registered| {
            if registered == uri {
                return true;
            }
            let Ok(reg) = url::Url::parse(registered) else {
                return false;
            };
            let loopback = matches!(reg.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
            loopback
                && reg.scheme() == "http"
                && url.scheme() == "http"
                && url.host_str() == reg.host_str()
                && (reg.path() == "/" || reg.path() == url.path())
        })
    }
}

/// Everyone and everything the tenant knows.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub tenants: Vec<TenantInfo>,
    pub users: Vec<User>,
    pub apps: Vec<AppRegistration>,
}

impl Directory {
    /// An empty directory with the consumers tenant (always present, as in Entra).
    pub fn empty() -> Self {
        Self {
            tenants: vec![TenantInfo {
                id: CONSUMERS_TENANT_ID.to_owned(),
                domain: "live.com".to_owned(),
                display_name: "Microsoft accounts".to_owned(),
            }],
            users: Vec::new(),
            apps: Vec::new(),
        }
    }

    /// The seeded demo: Contoso with a handful of users (one needs MFA, one has no photo), a personal account, and
    /// GraphDesk's demo app registration. Passwords are shown on the sign-in page: this is a demo.
    pub fn demo() -> Self {
        Self::empty()
            .with_tenant(DEMO_TENANT_ID, DEMO_TENANT_DOMAIN, "Contoso (demo)")
            .with_user(
                User::new(
                    DEMO_TENANT_ID,
                    "adele@contoso.example",
                    "Adele Vance",
                    "demo",
                )
                .with_object_id("0f7c2d9e-1a3b-4c5d-8e6f-a1b2c3d4e5f6")
                .with_job_title("Product Manager"),
            )
            .with_user(
                User::new(
                    DEMO_TENANT_ID,
                    "megan@contoso.example",
                    "Megan Bowen",
                    "demo",
                )
                .with_object_id("1e8d3c0f-2b4c-4d6e-9f70-b2c3d4e5f607")
                .with_job_title("Marketing Manager")
                .needing_mfa(),
            )
            .with_user(
                User::new(
                    DEMO_TENANT_ID,
                    "alex@contoso.example",
                    "Alex Wilber",
                    "demo",
                )
                .with_object_id("2d9e4b1a-3c5d-4e7f-a081-c3d4e5f60718")
                .with_job_title("Developer")
                .without_photo(),
            )
            .with_user(
                User::new(DEMO_TENANT_ID, "lee@contoso.example", "Lee Gu", "demo")
                    .with_object_id("3cae5a2b-4d6e-4f80-b192-d4e5f6071829")
                    .with_job_title("Director"),
            )
            .with_user(
                User::new(
                    CONSUMERS_TENANT_ID,
                    "sam@outlook.example",
                    "Sam Personal",
                    "demo",
                )
                .with_object_id("00000000-0000-0000-4a5b-6c7d8e9f0a1b")
                .personal(),
            )
            .with_app(AppRegistration::desktop(DEMO_CLIENT_ID, "GraphDesk (demo)"))
    }

    pub fn with_tenant(mut self, id: &str, domain: &str, display_name: &str) -> Self {
        self.tenants.push(TenantInfo {
            id: id.to_owned(),
            domain: domain.to_owned(),
            display_name: display_name.to_owned(),
        });
        self
    }

    pub fn with_user(mut self, user: User) -> Self {
        self.users.push(user);
        self
    }

    pub fn with_app(mut self, app: AppRegistration) -> Self {
        self.apps.push(app);
        self
    }

    pub fn app(&self, client_id: &str) -> Option<&AppRegistration> {
        self.apps
            .iter()
            .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
    }

    pub fn user_by_upn(&self, upn: &str) -> Option<&User> {
        self.users.iter().find(|u| u.upn.eq_ignore_ascii_case(upn))
    }

    pub fn user_by_oid(&self, oid: &str) -> Option<&User> {
        self.users.iter().find(|u| u.object_id == oid)
    }

    /// The tenant named by a GUID or a domain.
    pub fn tenant(&self, id_or_domain: &str) -> Option<&TenantInfo> {
        self.tenants.iter().find(|t| {
            t.id.eq_ignore_ascii_case(id_or_domain) || t.domain.eq_ignore_ascii_case(id_or_domain)
        })
    }
}

/// The tenant segment of an authority URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// `common`: work and personal accounts.
    Common,
    /// `organizations`: work accounts only.
    Organizations,
    /// `consumers`: personal accounts only.
    Consumers,
    /// One tenant, by id.
    Tenant(String),
}

impl Audience {
    /// Resolves the path segment, or `None` for an unknown tenant.
    pub fn resolve(segment: &str, directory: &Directory) -> Option<Self> {
        match segment.to_ascii_lowercase().as_str() {
            "common" => Some(Self::Common),
            "organizations" => Some(Self::Organizations),
            "consumers" => Some(Self::Consumers),
            other => directory.tenant(other).map(|t| {
                if t.id == CONSUMERS_TENANT_ID {
                    Self::Consumers
                } else {
                    Self::Tenant(t.id.clone())
                }
            }),
        }
    }

    /// Whether `user` may sign in through this authority.
    pub fn admits(&self, user: &User) -> bool {
        match self {
            Self::Common => true,
            Self::Organizations => !user.personal,
            Self::Consumers => user.personal,
            Self::Tenant(id) => user.tenant_id.eq_ignore_ascii_case(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_any_port_custom_schemes_match_exactly() {
        let app = AppRegistration::desktop(DEMO_CLIENT_ID, "x");
        assert!(app.accepts_redirect("graphdesk://auth"));
        assert!(app.accepts_redirect("http://127.0.0.1:53124/"));
        assert!(app.accepts_redirect("http://localhost:8400"));
        assert!(!app.accepts_redirect("graphdesk://evil"));
        assert!(!app.accepts_redirect("https://127.0.0.1:53124/"));
        assert!(!app.accepts_redirect("http://evil.example/"));
        assert!(!app.accepts_redirect("not a url"));
    }

    #[test]
    fn audiences_admit_the_right_users() {
        let dir = Directory::demo();
        let adele = dir.user_by_upn("ADELE@contoso.example").expect("adele");
        let sam = dir.user_by_upn("sam@outlook.example").expect("sam");
        assert!(Audience::Common.admits(adele) && Audience::Common.admits(sam));
        assert!(Audience::Organizations.admits(adele) && !Audience::Organizations.admits(sam));
        assert!(!Audience::Consumers.admits(adele) && Audience::Consumers.admits(sam));
        let contoso = Audience::resolve(DEMO_TENANT_DOMAIN, &dir).expect("by domain");
        assert_eq!(
            contoso,
            Audience::resolve(DEMO_TENANT_ID, &dir).expect("by id")
        );
        assert!(contoso.admits(adele) && !contoso.admits(sam));
        assert_eq!(Audience::resolve("unknown.example", &dir), None);
    }
}
