//! Shared set-up of the engine's black-box tests: an engine over https against a fresh emulated tenant, with a manual
//! clock both sides move, and the sign-in helpers.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use graphdesk_core::clock::{Clock, ManualClock, SystemClock};
use graphdesk_core::config::ClientConfig;
use graphdesk_core::engine::TokenEngine;
use graphdesk_core::error::{CoreError, WindowsSignInError};
use graphdesk_core::flows::auth_code::{Cancel, InteractiveOptions};
use graphdesk_core::flows::iwa::{NegotiateContext, WindowsIdentity};
use graphdesk_core::http::ReqwestClient;
use graphdesk_core::secret::SecretBytes;
use graphdesk_tenant::{DEMO_CLIENT_ID, Directory, RunningTenant, TenantConfig, TenantServer};

pub struct Setup {
    pub tenant: Arc<RunningTenant>,
    pub engine: Arc<TokenEngine>,
    pub clock: Arc<ManualClock>,
}

pub async fn setup_with(config: TenantConfig, capabilities: &[&str]) -> Setup {
    let tenant = TenantServer::new()
        .directory(Directory::demo())
        .config(config)
        .start()
        .await
        .expect("tenant");
    engine_at(Arc::new(tenant), "organizations", capabilities)
}

/// An engine for the authority `segment` of a running tenant.
pub fn engine_at(tenant: Arc<RunningTenant>, segment: &str, capabilities: &[&str]) -> Setup {
    engine_with_redirect(tenant, segment, capabilities, "graphdesk://auth")
}

/// As [`engine_at`], with the app's redirect URI `redirect_uri`.
pub fn engine_with_redirect(
    tenant: Arc<RunningTenant>,
    segment: &str,
    capabilities: &[&str],
    redirect_uri: &str,
) -> Setup {
    let client = ClientConfig::builder(DEMO_CLIENT_ID)
        .authority(tenant.authority(segment))
        .extra_root_ca_pem(tenant.ca_pem())
        .client_capabilities(capabilities.iter().copied())
        .redirect_uri(redirect_uri)
        .build()
        .expect("config");
    let clock = Arc::new(ManualClock::at(SystemClock.now()));
    let engine = Arc::new(engine_with(&tenant, client, clock.clone()));
    Setup {
        tenant,
        engine,
        clock,
    }
}

/// An engine for the demo app at the tenant's `organizations` authority, on `clock` (which also sleeps).
pub fn engine_for(tenant: &RunningTenant, clock: Arc<ManualClock>) -> TokenEngine {
    let client = ClientConfig::builder(DEMO_CLIENT_ID)
        .authority(tenant.authority("organizations"))
        .extra_root_ca_pem(tenant.ca_pem())
        .build()
        .expect("config");
    engine_with(tenant, client, clock)
}

/// An engine for the demo app with the tenant named as a generic OpenID Connect issuer (its Contoso tenant's v2.0
/// issuer), not as an Entra authority.
pub fn oidc_engine_for(tenant: &RunningTenant, clock: Arc<ManualClock>) -> TokenEngine {
    let client = ClientConfig::builder(DEMO_CLIENT_ID)
        .oidc_issuer(format!(
            "{}/{}/v2.0",
            tenant.https_url(),
            graphdesk_tenant::DEMO_TENANT_ID
        ))
        .extra_root_ca_pem(tenant.ca_pem())
        .build()
        .expect("config");
    engine_with(tenant, client, clock)
}

fn engine_with(
    tenant: &RunningTenant,
    client: ClientConfig,
    clock: Arc<ManualClock>,
) -> TokenEngine {
    let http = ReqwestClient::new(Duration::from_secs(10), Some(tenant.ca_pem()))
        .expect("http")
        .shared();
    TokenEngine::new(client, http, clock.clone(), Arc::new(clock))
}

pub async fn setup() -> Setup {
    setup_with(TenantConfig::default(), &[]).await
}

/// Moves both clocks: the engine's (token expiry) and the tenant's (the tokens it issues next).
pub fn advance(setup: &Setup, seconds: u64) {
    setup.clock.advance(seconds);
    setup.tenant.advance_clock(seconds as i64);
}

/// The value of the query parameter `name` in `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .expect("a URL")
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

pub fn scopes(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Starts an interactive sign-in and lets the tenant's automation play the browser: the request and its redirect.
pub async fn authorize(
    s: &Setup,
    upn: &str,
    scope: &[&str],
    options: &InteractiveOptions,
) -> (
    graphdesk_core::flows::auth_code::AuthorizationRequest,
    String,
) {
    let request = s
        .engine
        .begin_authorization(&scopes(scope), options, None)
        .await
        .expect("url");
    let redirect = s
        .tenant
        .complete_authorization(&request.url, upn)
        .expect("redirect");
    (request, redirect)
}

/// Signs `upn` in interactively: the tenant's automation plays the browser, the redirect goes through the registry.
pub async fn sign_in(
    setup: &Setup,
    upn: &str,
    scope: &[&str],
) -> graphdesk_core::engine::TokenResult {
    let request = setup
        .engine
        .begin_authorization(&scopes(scope), &InteractiveOptions::default(), None)
        .await
        .expect("authorize URL");
    let redirect = setup
        .tenant
        .complete_authorization(&request.url, upn)
        .expect("signed in");
    setup.engine.deliver_redirect(&redirect).expect("delivered");
    setup
        .engine
        .finish_authorization(request, &Cancel::new())
        .await
        .expect("tokens")
}

pub fn grants(tenant: &RunningTenant, grant: &str) -> usize {
    tenant
        .requests()
        .iter()
        .filter(|r| r.grant_type.as_deref() == Some(grant))
        .count()
}

pub fn ui_required(
    result: Result<graphdesk_core::engine::TokenResult, CoreError>,
) -> Box<graphdesk_core::error::UiRequired> {
    match result {
        Err(CoreError::UiRequired(ui)) => ui,
        other => panic!("expected UI required, got {other:?}"),
    }
}

/// `../shared/msal-fixtures` beside the clone (or `GRAPHDESK_MSAL_FIXTURES`): real MSAL and Entra artifacts, read and
/// never committed. `None` on a fresh clone without them.
pub fn msal_fixtures() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("GRAPHDESK_MSAL_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/msal-fixtures")
        });
    dir.is_dir().then_some(dir)
}

/// A Windows session: its UPN, and the ticket Kerberos would hand out for any host (recorded).
#[derive(Debug)]
pub struct TestWindows {
    pub upn: Option<String>,
    pub ticket: String,
    pub hosts: Arc<Mutex<Vec<String>>>,
}

impl TestWindows {
    pub fn signed_in_as(upn: &str, ticket: &str) -> Self {
        Self {
            upn: Some(upn.to_owned()),
            ticket: ticket.to_owned(),
            hosts: Arc::default(),
        }
    }
}

pub struct OneLeg {
    ticket: String,
}

impl NegotiateContext for OneLeg {
    fn step(&mut self, server_token: Option<&[u8]>) -> Result<SecretBytes, CoreError> {
        match server_token {
            None => Ok(SecretBytes::new(self.ticket.clone().into_bytes())),
            Some(_) => Err(WindowsSignInError::Negotiate {
                detail: "Kerberos takes one leg".into(),
            }
            .into()),
        }
    }
}

impl WindowsIdentity for TestWindows {
    fn user_principal_name(&self) -> Result<Option<String>, CoreError> {
        Ok(self.upn.clone())
    }

    fn negotiate(&self, host: &str) -> Result<Box<dyn NegotiateContext>, CoreError> {
        self.hosts.lock().expect("hosts").push(host.to_owned());
        Ok(Box::new(OneLeg {
            ticket: self.ticket.clone(),
        }))
    }
}
