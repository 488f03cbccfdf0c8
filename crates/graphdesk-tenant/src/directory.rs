//! Who exists in the emulated tenant: tenants, users and app registrations, with a seeded demo directory (stable ids,
//! so caches survive restarts) and a builder for tests.

use serde::Serialize;

/// The well-known tenant id of personal Microsoft accounts (`consumers`).
pub const CONSUMERS_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// The demo tenant's id and domain.
pub const DEMO_TENANT_ID: &str = "7e4a1b2c-3d5e-4f60-8a71-92b3c4d5e6f7";
pub const DEMO_TENANT_DOMAIN: &str = "contoso.example";
/// A domain of the demo tenant federated to the tenant's emulated AD FS (Integrated Windows Authentication).
pub const DEMO_FEDERATED_DOMAIN: &str = "corp.contoso.example";
/// The Negotiate token the emulated AD FS takes as the demo federated user's Kerberos ticket (a test switch).
pub const DEMO_WINDOWS_TICKET: &str = "graphdesk-emulated-kerberos-ticket:nestor";

/// A second demo tenant, where Adele is a guest (B2B): her tokens for it carry its `tid` and her guest object id.
pub const DEMO_GUEST_TENANT_ID: &str = "b3c4d5e6-f708-4192-a3b4-c5d6e7f80912";
pub const DEMO_GUEST_TENANT_DOMAIN: &str = "fabrikam.example";
/// Adele's object id in the guest tenant.
pub const DEMO_GUEST_OBJECT_ID: &str = "c4d5e6f7-0819-4a2b-b4c5-d6e7f8091a2b";

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
    /// Tenants this person was invited into as a guest (B2B), each with the object id they have there.
    pub guest_of: Vec<GuestMembership>,
    /// The Negotiate token that stands in for this user's Kerberos ticket at the emulated federation server (a test
    /// switch: a real AD FS validates a ticket from the domain controller). Only users of a federated domain have one.
    #[serde(skip)]
    pub windows_ticket: Option<String>,
}

/// A guest membership: the same person in another tenant, under another object id. Entra issues a token for that
/// tenant's authority with `tid` = the guest tenant and `oid` = the guest object id, while `client_info` keeps the home
/// `uid`/`utid` (so MSAL's `home_account_id` is the same everywhere).
#[derive(Debug, Clone, Serialize)]
pub struct GuestMembership {
    pub tenant_id: String,
    pub object_id: String,
}

/// Who the person is in the tenant a token is issued for: MSAL's tenant profile, as the tenant sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub tenant_id: String,
    pub object_id: String,
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
            guest_of: Vec::new(),
            windows_ticket: None,
        }
    }

    /// Signed in to a domain-joined Windows machine, whose Kerberos ticket the emulated federation server sees as
    /// `ticket`.
    pub fn with_windows_ticket(mut self, ticket: &str) -> Self {
        self.windows_ticket = Some(ticket.to_owned());
        self
    }

    /// A guest in `tenant_id`, where the person's object id is `object_id`.
    pub fn guest_in(mut self, tenant_id: &str, object_id: &str) -> Self {
        self.guest_of.push(GuestMembership {
            tenant_id: tenant_id.to_owned(),
            object_id: object_id.to_owned(),
        });
        self
    }

    /// The person's profile in the tenant `audience` names: a guest tenant's own, or the home tenant's for `common`,
    /// `organizations`, `consumers` and the home tenant itself (Entra signs multi-tenant authorities into the home tenant).
    pub fn profile_in(&self, audience: &Audience) -> Profile {
        let guest = match audience {
            Audience::Tenant(id) if !self.tenant_id.eq_ignore_ascii_case(id) => self
                .guest_of
                .iter()
                .find(|g| g.tenant_id.eq_ignore_ascii_case(id)),
            _ => None,
        };
        match guest {
            Some(g) => Profile {
                tenant_id: g.tenant_id.clone(),
                object_id: g.object_id.clone(),
            },
            None => Profile {
                tenant_id: self.tenant_id.clone(),
                object_id: self.object_id.clone(),
            },
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

/// A domain whose users sign in at a federation server (AD FS) that the tenant trusts, instead of with Entra.
#[derive(Debug, Clone)]
pub struct FederatedDomain {
    pub domain: String,
    pub tenant_id: String,
}

/// Everyone and everything the tenant knows.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub tenants: Vec<TenantInfo>,
    pub users: Vec<User>,
    pub apps: Vec<AppRegistration>,
    pub federated_domains: Vec<FederatedDomain>,
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
            federated_domains: Vec::new(),
        }
    }

    /// The seeded demo: Contoso with a handful of users (one needs MFA, one has no photo), a personal account, and
    /// GraphDesk's demo app registration. Passwords are shown on the sign-in page: this is a demo.
    pub fn demo() -> Self {
        Self::empty()
            .with_tenant(DEMO_TENANT_ID, DEMO_TENANT_DOMAIN, "Contoso (demo)")
            .with_tenant(
                DEMO_GUEST_TENANT_ID,
                DEMO_GUEST_TENANT_DOMAIN,
                "Fabrikam (demo)",
            )
            .with_user(
                User::new(
                    DEMO_TENANT_ID,
                    "adele@contoso.example",
                    "Adele Vance",
                    "demo",
                )
                .with_object_id("0f7c2d9e-1a3b-4c5d-8e6f-a1b2c3d4e5f6")
                .with_job_title("Product Manager")
                .guest_in(DEMO_GUEST_TENANT_ID, DEMO_GUEST_OBJECT_ID),
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
            .with_federated_domain(DEMO_FEDERATED_DOMAIN, DEMO_TENANT_ID)
            .with_user(
                User::new(
                    DEMO_TENANT_ID,
                    "nestor@corp.contoso.example",
                    "Nestor Wilke",
                    "demo",
                )
                .with_object_id("4dbf6b3c-5e7f-4091-82a3-e5f60718293a")
                .with_job_title("Operations Director")
                .with_windows_ticket(DEMO_WINDOWS_TICKET),
            )
            .with_app(AppRegistration::desktop(DEMO_CLIENT_ID, "GraphDesk (demo)"))
    }

    /// `domain`'s users sign in at the tenant's federation server; they belong to tenant `tenant_id`.
    pub fn with_federated_domain(mut self, domain: &str, tenant_id: &str) -> Self {
        self.federated_domains.push(FederatedDomain {
            domain: domain.to_owned(),
            tenant_id: tenant_id.to_owned(),
        });
        self
    }

    /// The federated domain `upn` belongs to.
    pub fn federated_domain_of(&self, upn: &str) -> Option<&FederatedDomain> {
        let domain = upn.rsplit_once('@')?.1;
        self.federated_domains
            .iter()
            .find(|d| d.domain.eq_ignore_ascii_case(domain))
    }

    /// The federated user whose Windows ticket is `ticket`.
    pub fn user_by_windows_ticket(&self, ticket: &str) -> Option<&User> {
        self.users.iter().find(|u| {
            u.windows_ticket.as_deref() == Some(ticket)
                && self.federated_domain_of(&u.upn).is_some()
        })
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

    /// The user whose home object id is `oid` (what codes and refresh tokens record).
    pub fn user_by_oid(&self, oid: &str) -> Option<&User> {
        self.users.iter().find(|u| u.object_id == oid)
    }

    /// The user an access token's `oid` names, in its home tenant or in a tenant they are a guest of, with that profile.
    pub fn user_by_profile_oid(&self, oid: &str) -> Option<(&User, Profile)> {
        self.users.iter().find_map(|u| {
            if u.object_id == oid {
                return Some((
                    u,
                    Profile {
                        tenant_id: u.tenant_id.clone(),
                        object_id: u.object_id.clone(),
                    },
                ));
            }
            u.guest_of.iter().find(|g| g.object_id == oid).map(|g| {
                (
                    u,
                    Profile {
                        tenant_id: g.tenant_id.clone(),
                        object_id: g.object_id.clone(),
                    },
                )
            })
        })
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
            Self::Tenant(id) => {
                user.tenant_id.eq_ignore_ascii_case(id)
                    || user
                        .guest_of
                        .iter()
                        .any(|g| g.tenant_id.eq_ignore_ascii_case(id))
            }
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

    #[test]
    fn a_guest_is_admitted_to_the_guest_tenant_under_another_object_id() {
        let dir = Directory::demo();
        let adele = dir.user_by_upn("adele@contoso.example").expect("adele");
        let lee = dir.user_by_upn("lee@contoso.example").expect("lee");
        let fabrikam = Audience::resolve(DEMO_GUEST_TENANT_DOMAIN, &dir).expect("fabrikam");
        assert!(fabrikam.admits(adele) && !fabrikam.admits(lee));
        let guest = adele.profile_in(&fabrikam);
        assert_eq!(
            (guest.tenant_id.as_str(), guest.object_id.as_str()),
            (DEMO_GUEST_TENANT_ID, DEMO_GUEST_OBJECT_ID)
        );
        for home in [Audience::Common, Audience::Organizations] {
            assert_eq!(adele.profile_in(&home).tenant_id, DEMO_TENANT_ID);
            assert_eq!(adele.profile_in(&home).object_id, adele.object_id);
        }
        let (found, profile) = dir
            .user_by_profile_oid(DEMO_GUEST_OBJECT_ID)
            .expect("guest oid resolves");
        assert_eq!((found.upn.as_str(), profile), (adele.upn.as_str(), guest));
        assert!(dir.user_by_oid(DEMO_GUEST_OBJECT_ID).is_none());
    }
}
