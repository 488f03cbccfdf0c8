//! Serving the tenant: an https listener on loopback (and, for tests that ask, a plain-http one), one hyper connection
//! per client, and a front layer that refuses any `Host` but its own (DNS rebinding: a web page whose name resolves to
//! 127.0.0.1 gets 421), requires the admin API's bearer token, stamps each request with its origin, applies transport
//! faults (delay, status with `Retry-After`, malformed body, dropped connection) and writes the request log.
//!
//! The admin API (`/_admin/…`), fault injection and plain http exist only with the `admin` feature, and even then only
//! when asked for ([`TenantServer::admin_api`], [`TenantServer::plain_http`]): the app's demo mode has none of them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Request, Response, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::crypto::SigningKey;
use crate::directory::Directory;
#[cfg(feature = "admin")]
use crate::faults::{Fault, FaultAction, FaultTarget};
use crate::http::{Origin, Scheme};
use crate::store::{LogNote, LoggedRequest};
use crate::tenant::{Tenant, TenantConfig};
use crate::tls::Certificates;
use crate::{device, federation, graph, oidc, pages, token};

/// Most requests the log keeps.
const MAX_LOGGED: usize = 100_000;

/// Why the tenant could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
}

/// Starts a tenant.
#[derive(Debug, Default)]
pub struct TenantServer {
    directory: Option<Directory>,
    config: TenantConfig,
    https_port: u16,
    http_port: u16,
    durable: Option<crate::durable::DurableFile>,
    /// Serve `/_admin/…` (behind a bearer token made at start).
    admin_api: bool,
    /// Also listen on plain http.
    plain_http: bool,
}

impl TenantServer {
    /// A tenant with the demo directory and default lifetimes, on random ports.
    pub fn new() -> Self {
        Self::default()
    }

    pub fn directory(mut self, directory: Directory) -> Self {
        self.directory = Some(directory);
        self
    }

    pub fn config(mut self, config: TenantConfig) -> Self {
        self.config = config;
        self
    }

    /// Fixed ports (0 = any free port).
    pub fn ports(mut self, https: u16, http: u16) -> Self {
        self.https_port = https;
        self.http_port = http;
        self
    }

    /// Keeps the ports, signing key, refresh tokens, consents and revocations in `path` across restarts (the app's demo
    /// mode): a restart serves on the same ports when they are free and honours what it issued before. A file that
    /// cannot be read is moved aside to `*.unreadable` and the tenant starts afresh.
    /// Serves the admin API (`/_admin/…`: request log, faults, clock, revocation, browserless sign-in) to callers that
    /// present the bearer token made at start ([`RunningTenant::admin_token`]). For tests and the standalone binary.
    #[cfg(feature = "admin")]
    pub fn admin_api(mut self) -> Self {
        self.admin_api = true;
        self
    }

    /// Also listens on plain http (MSAL's peers' admin calls, the http discovery test, throughput over http).
    #[cfg(feature = "admin")]
    pub fn plain_http(mut self) -> Self {
        self.plain_http = true;
        self
    }

    pub fn durable(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.durable = Some(crate::durable::DurableFile::new(path));
        self
    }

    /// Generates keys and certificates, binds 127.0.0.1 and serves until the returned handle is dropped.
    pub async fn start(mut self) -> Result<RunningTenant, StartError> {
        let certificates = Certificates::generate()?;
        let directory = self.directory.take().unwrap_or_else(Directory::demo);
        let max_body = self.config.max_body_bytes;
        let kept = self.kept_state();
        let key = kept
            .as_ref()
            .and_then(|k| SigningKey::from_pkcs8(&crate::crypto::b64url_decode(&k.signing_key)?))
            .unwrap_or_else(SigningKey::generate);
        let (https, http) = bind_pair(
            kept.as_ref(),
            self.https_port,
            self.plain_http.then_some(self.http_port),
        )
        .await?;
        let https_addr = https.local_addr()?;
        let http_addr = match &http {
            Some(http) => Some(http.local_addr()?),
            None => None,
        };
        let mut tenant = Tenant::with_key(directory, self.config, key);
        if let Some(file) = self.durable {
            if let Some(kept) = &kept {
                kept.restore_into(&mut tenant.store());
            }
            tenant.keep_state_in(
                file,
                (https_addr.port(), http_addr.map_or(0, |a| a.port())),
                certificates.ca_pem.clone(),
            );
            tenant.save_durable();
        }
        let tenant = Arc::new(tenant);
        let admin_token = self.admin_api.then(|| crate::crypto::random_token(32));
        let router = router(
            tenant.clone(),
            certificates.ca_pem.clone(),
            max_body,
            admin_token.is_some(),
        );
        let front = Arc::new(Front {
            tenant: tenant.clone(),
            router,
            admin_token: admin_token.clone(),
        });
        let acceptor = TlsAcceptor::from(certificates.server_config.clone());
        let mut tasks = vec![tokio::spawn(accept_loop(
            https,
            front.clone(),
            Some(acceptor),
        ))];
        if let Some(http) = http {
            tasks.push(tokio::spawn(accept_loop(http, front, None)));
        }
        Ok(RunningTenant {
            tenant,
            https_addr,
            http_addr,
            admin_token,
            ca_pem: certificates.ca_pem,
            tasks,
        })
    }
}

impl TenantServer {
    /// The state kept by an earlier run, if any and readable.
    fn kept_state(&self) -> Option<crate::durable::Snapshot> {
        let file = self.durable.as_ref()?;
        match file.load() {
            Ok(kept) => kept,
            Err(error) => {
                let aside = file.path().with_extension("unreadable");
                tracing::warn!(%error, aside = %aside.display(), "the tenant's kept state is moved aside; starting afresh");
                if let Err(error) = std::fs::rename(file.path(), &aside) {
                    tracing::warn!(%error, "could not move the tenant's state aside");
                }
                None
            }
        }
    }
}

/// Binds the https listener (and the http one when `http_port` is given): on the kept ports when there are some and
/// they are free, else as asked.
async fn bind_pair(
    kept: Option<&crate::durable::Snapshot>,
    https_port: u16,
    http_port: Option<u16>,
) -> std::io::Result<(TcpListener, Option<TcpListener>)> {
    if let Some(kept) = kept {
        // A tenant stopped a moment ago (an app restarting) may still be letting go of them.
        for _ in 0..20 {
            let https = TcpListener::bind(("127.0.0.1", kept.https_port)).await;
            let http = match http_port {
                None => Ok(None),
                Some(_) => TcpListener::bind(("127.0.0.1", kept.http_port))
                    .await
                    .map(Some),
            };
            if let (Ok(https), Ok(http)) = (https, http) {
                return Ok((https, http));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tracing::warn!(
            https = kept.https_port,
            "the tenant's earlier ports are taken; its earlier sign-ins will not match"
        );
    }
    let https = TcpListener::bind(("127.0.0.1", https_port)).await?;
    let http = match http_port {
        None => None,
        Some(port) => Some(TcpListener::bind(("127.0.0.1", port)).await?),
    };
    Ok((https, http))
}

/// A running tenant: its addresses, its CA, and the controls tests use.
#[derive(Debug)]
pub struct RunningTenant {
    tenant: Arc<Tenant>,
    https_addr: SocketAddr,
    http_addr: Option<SocketAddr>,
    admin_token: Option<String>,
    ca_pem: String,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningTenant {
    /// `https://127.0.0.1:PORT`
    pub fn https_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.https_addr.port())
    }

    /// `http://127.0.0.1:PORT`, when the tenant listens on plain http ([`TenantServer::plain_http`]).
    pub fn http_url(&self) -> Option<String> {
        self.http_addr
            .map(|a| format!("http://127.0.0.1:{}", a.port()))
    }

    /// The bearer token the admin API requires, when it is served ([`TenantServer::admin_api`]).
    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }

    /// The https authority for a tenant segment (`common`, `organizations`, a GUID or a domain).
    pub fn authority(&self, segment: &str) -> String {
        format!("{}/{segment}", self.https_url())
    }

    /// The CA certificate clients must trust, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The tenant, for direct control and inspection.
    pub fn tenant(&self) -> &Arc<Tenant> {
        &self.tenant
    }

    #[cfg(feature = "admin")]
    /// Installs a fault.
    pub fn inject(&self, fault: Fault) {
        let now = self.tenant.clock.now();
        self.tenant.store().faults.add(fault, now);
    }

    #[cfg(feature = "admin")]
    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.tenant.store().faults.clear();
    }

    #[cfg(feature = "admin")]
    /// Moves the tenant's clock.
    pub fn advance_clock(&self, seconds: i64) {
        self.tenant.clock.advance(seconds);
    }

    #[cfg(feature = "admin")]
    /// Revokes the user's refresh tokens; `false` when there is no such user.
    pub fn revoke(&self, upn: &str) -> bool {
        revoke(&self.tenant, upn)
    }

    #[cfg(feature = "admin")]
    /// The requests answered so far (admin calls excluded).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.tenant.store().log.clone()
    }

    #[cfg(feature = "admin")]
    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.tenant.store().log.clear();
    }

    #[cfg(feature = "admin")]
    /// Completes an authorization request as `upn` and returns the redirect URL (see [`crate::automation`]).
    pub fn complete_authorization(
        &self,
        authorize_url: &str,
        upn: &str,
    ) -> Result<String, crate::AutomationError> {
        crate::automation::complete_authorization(&self.tenant, authorize_url, upn, None, true)
    }

    #[cfg(feature = "admin")]
    /// Approves (or denies) a device code as `upn`.
    pub fn decide_device_code(
        &self,
        user_code: &str,
        upn: &str,
        approve: bool,
    ) -> Result<(), device::DeviceError> {
        device::decide(&self.tenant, user_code, upn, None, approve)
    }
}

impl Drop for RunningTenant {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// Revokes every refresh token `upn` holds.
#[cfg(feature = "admin")]
pub fn revoke(tenant: &Tenant, upn: &str) -> bool {
    let Some(oid) = tenant
        .directory()
        .user_by_upn(upn)
        .map(|u| u.object_id.clone())
    else {
        return false;
    };
    let now = tenant.clock.now();
    tenant.store().revoked_before.insert(oid, now);
    tenant.save_durable();
    true
}

fn router(tenant: Arc<Tenant>, ca_pem: String, max_body: usize, admin_api: bool) -> Router {
    let graph_routes = Router::new()
        .route("/me", get(graph::me))
        .route("/me/photo/$value", get(graph::photo))
        .route("/me/messages", get(graph::messages))
        .route("/users", get(graph::users))
        .fallback(graph::not_found);
    let identity = Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(oidc::discovery),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(oidc::keys))
        .route(
            "/{tenant}/discovery/instance",
            get(crate::instance::instance),
        )
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(pages::authorize_get).post(pages::authorize_post),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .route("/common/userrealm/{username}", get(federation::user_realm))
        .route("/adfs/services/trust/mex", get(federation::mex))
        .route(
            "/adfs/services/trust/{version}/windowstransport",
            post(federation::windows_transport),
        )
        .route(
            "/adfs/services/trust/{version}/usernamemixed",
            post(federation::username_mixed),
        )
        .route("/{tenant}/oauth2/v2.0/devicecode", post(device::devicecode))
        .route("/{tenant}/oauth2/v2.0/logout", get(oidc::logout))
        .route(
            "/devicelogin",
            get(device::devicelogin_page).post(device::devicelogin_submit),
        )
        .nest("/v1.0", graph_routes.clone())
        .nest("/beta", graph_routes);
    let routes = if admin_api {
        with_admin(identity, ca_pem)
    } else {
        drop(ca_pem);
        identity
    };
    routes
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(tenant)
}

/// The admin routes (behind the bearer token [`Front`] checks).
#[cfg(feature = "admin")]
fn with_admin(routes: Router<Arc<Tenant>>, ca_pem: String) -> Router<Arc<Tenant>> {
    use crate::admin;
    routes
        .route(
            "/_admin/ca.pem",
            get(move || async move { ([("content-type", "application/x-pem-file")], ca_pem) }),
        )
        .route(
            "/_admin/requests",
            get(admin::requests).delete(admin::clear_requests),
        )
        .route(
            "/_admin/faults",
            get(admin::list_faults)
                .post(admin::add_fault)
                .delete(admin::clear_faults),
        )
        .route("/_admin/clock", post(admin::advance_clock))
        .route("/_admin/revoke", post(admin::revoke))
        .route("/_admin/authorize", post(admin::authorize))
        .route("/_admin/device", post(admin::device))
}

/// Without the `admin` feature there are no admin routes to add.
#[cfg(not(feature = "admin"))]
fn with_admin(routes: Router<Arc<Tenant>>, _ca_pem: String) -> Router<Arc<Tenant>> {
    routes
}

/// What every connection's requests go through.
struct Front {
    tenant: Arc<Tenant>,
    router: Router,
    /// The admin API's bearer token, when it is served.
    #[cfg_attr(not(feature = "admin"), allow(dead_code))]
    admin_token: Option<String>,
}

async fn accept_loop(listener: TcpListener, front_door: Arc<Front>, tls: Option<TlsAcceptor>) {
    let scheme = Scheme(if tls.is_some() { "https" } else { "http" });
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (front_door, tls) = (front_door.clone(), tls.clone());
        let local = listener.local_addr().ok();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                front(request, front_door.clone(), scheme, local)
            });
            let builder = hyper::server::conn::http1::Builder::new();
            let result = match tls {
                Some(acceptor) => match acceptor.accept(stream).await {
                    Ok(stream) => {
                        builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await
                    }
                    Err(error) => {
                        tracing::debug!(%peer, %error, "TLS handshake failed");
                        return;
                    }
                },
                None => {
                    builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                }
            };
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
}

/// The error that makes hyper drop a connection without answering (the `DropConnection` fault).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
struct Dropped;

/// Whether `host` (a `Host` header) names this listener: `127.0.0.1` or `localhost` with its port. Anything else is a
/// name that merely resolves here — a DNS-rebinding page — and is refused.
fn is_own_host(host: &str, local: Option<SocketAddr>) -> bool {
    let Some(port) = local.map(|a| a.port()) else {
        return false;
    };
    [format!("127.0.0.1:{port}"), format!("localhost:{port}")]
        .iter()
        .any(|own| own.eq_ignore_ascii_case(host))
}

/// Whether `request` presents the admin API's bearer token (compared in constant time).
#[cfg(feature = "admin")]
fn has_admin_token(request: &Request<Incoming>, token: Option<&str>) -> bool {
    let Some(token) = token else {
        return false;
    };
    let presented = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    presented.len() == token.len()
        && presented
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

async fn front(
    mut request: Request<Incoming>,
    front_door: Arc<Front>,
    scheme: Scheme,
    local: Option<SocketAddr>,
) -> Result<Response<Body>, Dropped> {
    let (router, tenant) = (front_door.router.clone(), front_door.tenant.clone());
    let host = request
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_default();
    if !is_own_host(&host, local) {
        return Ok((
            StatusCode::MISDIRECTED_REQUEST,
            "This tenant answers only 127.0.0.1 and localhost on its own port.",
        )
            .into_response());
    }
    #[cfg(feature = "admin")]
    if request.uri().path().starts_with("/_admin/")
        && !has_admin_token(&request, front_door.admin_token.as_deref())
    {
        return Ok((
            StatusCode::UNAUTHORIZED,
            [("www-authenticate", "Bearer")],
            "The admin API needs the bearer token the tenant printed at start.",
        )
            .into_response());
    }
    request
        .extensions_mut()
        .insert(Origin(format!("{}://{host}", scheme.0)));
    request.extensions_mut().insert(scheme);
    let (method, path) = (
        request.method().to_string(),
        request.uri().path().to_owned(),
    );
    let client_request_id = request
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(64).collect::<String>());
    #[cfg(feature = "admin")]
    let response = with_transport_fault(&tenant, request, router, &method, &path).await?;
    #[cfg(not(feature = "admin"))]
    let response = route(router, request).await;
    let mut response = response;
    if path.starts_with("/v1.0/") || path.starts_with("/beta/") {
        stamp_graph_ids(&mut response, client_request_id);
    }
    // The admin API's own calls are not part of the log it serves.
    #[cfg(feature = "admin")]
    let logged = !path.starts_with("/_admin/");
    #[cfg(not(feature = "admin"))]
    let logged = true;
    if logged {
        let note = response.extensions().get::<LogNote>().cloned();
        log(&tenant, &method, &path, response.status().as_u16(), note);
    }
    // Token and sign-in requests are what change refresh tokens and consents.
    if method == "POST" {
        tenant.save_durable();
    }
    Ok(response)
}

/// The request answered through the transport fault installed for its target, if any (delay, a status with
/// `Retry-After`, a malformed body, a dropped connection); else answered as usual.
#[cfg(feature = "admin")]
async fn with_transport_fault(
    tenant: &Tenant,
    request: Request<Incoming>,
    router: Router,
    method: &str,
    path: &str,
) -> Result<Response<Body>, Dropped> {
    let target = FaultTarget::of_path(path);
    let fault = target.and_then(|t| {
        tenant.store().faults.take(t, |f| {
            matches!(
                f.action,
                FaultAction::Delay { .. }
                    | FaultAction::Status { .. }
                    | FaultAction::StatusWithRetryAfterDate { .. }
                    | FaultAction::MalformedBody
                    | FaultAction::DropConnection
            )
        })
    });
    let response = match fault {
        Some(FaultAction::DropConnection) => {
            log(tenant, method, path, 0, None);
            return Err(Dropped);
        }
        Some(FaultAction::Status {
            status,
            retry_after,
        }) => fault_status(
            tenant,
            target,
            &request,
            status,
            retry_after.map(|s| s.to_string()),
        ),
        Some(FaultAction::StatusWithRetryAfterDate {
            status,
            retry_after,
        }) => {
            let at = std::time::UNIX_EPOCH
                + Duration::from_secs(tenant.clock.now().saturating_add(retry_after));
            fault_status(
                tenant,
                target,
                &request,
                status,
                Some(httpdate::fmt_http_date(at)),
            )
        }
        Some(FaultAction::MalformedBody) => (
            [("content-type", "application/json")],
            "{\"token_type\": \"Bearer\", \"access_tok",
        )
            .into_response(),
        Some(FaultAction::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            route(router, request).await
        }
        _ => route(router, request).await,
    };
    Ok(response)
}

async fn route(router: Router, request: Request<Incoming>) -> Response<Body> {
    match router.oneshot(request.map(Body::new)).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

#[cfg(feature = "admin")]
fn fault_status(
    tenant: &Tenant,
    target: Option<FaultTarget>,
    request: &Request<Incoming>,
    status: u16,
    retry_after: Option<String>,
) -> Response<Body> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut response = if target == Some(FaultTarget::Graph) {
        let code = if status == StatusCode::TOO_MANY_REQUESTS {
            "TooManyRequests"
        } else {
            "serviceNotAvailable"
        };
        graph::graph_error(
            tenant,
            request.headers(),
            status,
            code,
            "The service is temporarily unavailable (injected fault).",
        )
    } else {
        let error = crate::oauth_error::OAuthError::new(
            if status == StatusCode::TOO_MANY_REQUESTS {
                "temporarily_unavailable"
            } else {
                "server_error"
            },
            if status == StatusCode::TOO_MANY_REQUESTS {
                50_196
            } else {
                90_033
            },
            "The service is temporarily unavailable (injected fault).",
        )
        .with_status(status);
        error.response(
            tenant.clock.now(),
            &crate::http::correlation_id(request.headers()),
        )
    };
    if let Some(retry_after) = retry_after
        && let Ok(value) = HeaderValue::from_str(&retry_after)
    {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

/// Graph answers every request with a `request-id` (and echoes the client's `client-request-id`), errors or not.
fn stamp_graph_ids(response: &mut Response<Body>, client_request_id: Option<String>) {
    let headers = response.headers_mut();
    if !headers.contains_key("request-id")
        && let Ok(value) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
    {
        headers.insert("request-id", value);
    }
    if let Some(value) = client_request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        headers.insert("client-request-id", value);
    }
}

fn log(tenant: &Tenant, method: &str, path: &str, status: u16, note: Option<LogNote>) {
    let note = note.unwrap_or_default();
    let entry = LoggedRequest {
        at: tenant.clock.now(),
        method: method.to_owned(),
        path: path.to_owned(),
        status,
        grant_type: note.grant_type,
        client_id: note.client_id,
    };
    let mut store = tenant.store();
    // Bounded: a load test must not grow the log without limit; tests read recent requests.
    if store.log.len() >= MAX_LOGGED {
        store.log.drain(..MAX_LOGGED / 2);
    }
    store.log.push(entry);
}
