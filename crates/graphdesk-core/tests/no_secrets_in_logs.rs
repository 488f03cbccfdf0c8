//! Nothing secret is ever logged or put in an error message: a full session — browser sign-in, silent hit, forced
//! refresh, a Graph call, username/password, a refused refresh after revocation, sign-out — runs with every log at
//! TRACE (GraphDesk's and its HTTP stack's), then every line and every error message is searched for the tokens, codes,
//! `state`, `nonce` and password used: zero hits. (The emulated tenant's own logs are the server's, not the app's.)

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use graphdesk_core::GraphDesk;
use graphdesk_core::cache::persist::CacheFile;
use graphdesk_core::clock::{SystemClock, TokioSleeper};
use graphdesk_core::config::ClientConfig;
use graphdesk_core::engine::TokenEngine;
use graphdesk_core::error::CoreError;
use graphdesk_core::flows::auth_code::{Cancel, Opener};
use graphdesk_core::graph::{Api, ApiRequest};
use graphdesk_core::http::ReqwestClient;
use graphdesk_core::keystore::InMemoryKeyStore;
use graphdesk_core::paths::AppPaths;
use graphdesk_core::secret::Password;
use graphdesk_core::session::{Session, SessionMode};
use graphdesk_tenant::{DEMO_CLIENT_ID, DEMO_TENANT_ID, Directory, TenantServer, User};

const PASSWORD: &str = "Tr4ce-Pa55-w0rd-9317";

/// Every log line, in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The browser: completes the sign-in at the tenant and hands the redirect back, remembering what it carried.
#[derive(Debug)]
struct Browser {
    tenant: Arc<graphdesk_tenant::Tenant>,
    service: Arc<GraphDesk>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Opener for Browser {
    fn open(&self, url: &str) -> Result<(), CoreError> {
        let (tenant, service, url, seen) = (
            self.tenant.clone(),
            self.service.clone(),
            url.to_owned(),
            self.seen.clone(),
        );
        tokio::spawn(async move {
            let redirect = graphdesk_tenant::automation::complete_authorization(
                &tenant,
                &url,
                "adele@contoso.example",
                None,
                true,
            )
            .expect("signed in");
            for (name, value) in url::Url::parse(&url)
                .expect("url")
                .query_pairs()
                .chain(url::Url::parse(&redirect).expect("redirect").query_pairs())
            {
                if ["state", "nonce", "code"].contains(&name.as_ref()) {
                    seen.lock().expect("lock").push(value.into_owned());
                }
            }
            assert!(service.receive_redirect(&redirect).result.is_ok());
        });
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_session_at_trace_level_logs_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "trace,graphdesk_tenant=off",
        ))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let directory = Directory::demo().with_user(User::new(
        DEMO_TENANT_ID,
        "tess@contoso.example",
        "Tess",
        PASSWORD,
    ));
    let tenant = TenantServer::new()
        .directory(directory)
        .start()
        .await
        .expect("tenant");
    let dir = tempfile::tempdir().expect("dir");
    let service = Arc::new(GraphDesk::new(AppPaths::rooted_at(dir.path())).expect("service"));
    let config = ClientConfig::builder(DEMO_CLIENT_ID)
        .authority(tenant.authority("organizations"))
        .extra_root_ca_pem(tenant.ca_pem())
        .build()
        .expect("config");
    let http = ReqwestClient::new(Duration::from_secs(10), Some(tenant.ca_pem()))
        .expect("http")
        .shared();
    let engine = TokenEngine::new(config, http, Arc::new(SystemClock), Arc::new(TokioSleeper));
    let file = CacheFile::new(
        dir.path().join("cache.bin"),
        Arc::new(InMemoryKeyStore::default()),
    );
    let api = Api::custom(
        &format!("{}/v1.0", tenant.https_url()),
        vec!["User.Read".into()],
    )
    .expect("api");
    let mode = SessionMode::Demo {
        tenant_url: tenant.https_url(),
    };
    let session = service.attach(Session::open(engine, file, mode, api).0);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let browser = Browser {
        tenant: tenant.tenant().clone(),
        service: service.clone(),
        seen: seen.clone(),
    };

    let mut errors = Vec::new();
    let signed_in = session
        .sign_in(&browser, &Cancel::new())
        .await
        .expect("signed in");
    session.token_silent(None, &[]).await.expect("silent hit");
    session.quick_refresh().await.expect("refresh");
    session
        .call_api(None, &[], &ApiRequest::get("/me"), &Cancel::new())
        .await
        .expect("graph");
    let tess = session
        .sign_in_with_password("tess@contoso.example", &Password::new(PASSWORD))
        .await
        .expect("password sign-in");
    errors.push(
        session
            .sign_in_with_password(
                "tess@contoso.example",
                &Password::new(format!("{PASSWORD}-wrong")),
            )
            .await
            .expect_err("wrong password"),
    );
    // Everything the cache holds now (access, refresh and ID tokens of both accounts) is a secret to look for.
    let mut secrets: Vec<String> = session.engine().read_cache(|cache| {
        let doc = cache.document();
        let access = doc.access_tokens.values().map(|e| e.secret.clone());
        let refresh = doc.refresh_tokens.values().map(|e| e.secret.clone());
        let id = doc.id_tokens.values().map(|e| e.secret.clone());
        access.chain(refresh).chain(id).collect()
    });
    assert!(tenant.revoke("tess@contoso.example"));
    errors.push(
        session
            .engine()
            .acquire_token_silent(
                &["User.Read".to_owned()],
                &tess.account.home_account_id,
                &graphdesk_core::engine::SilentOptions {
                    force_refresh: true,
                    ..Default::default()
                },
            )
            .await
            .expect_err("revoked"),
    );
    session
        .sign_out(&signed_in.account.home_account_id)
        .expect("signed out");

    secrets.extend(seen.lock().expect("lock").iter().cloned());
    secrets.push(PASSWORD.to_owned());
    assert!(secrets.len() >= 10, "{} secrets", secrets.len());
    let log = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(
        log.lines().count() > 50,
        "trace logging ran: {} lines",
        log.lines().count()
    );
    assert!(
        log.contains("token stored") && log.contains("hyper"),
        "GraphDesk's and the HTTP stack's logs are in"
    );
    let messages: Vec<String> = errors.iter().map(|e| format!("{e} {e:?}")).collect();
    for secret in &secrets {
        // Long secrets are looked for by a distinctive slice too (a log might cut them).
        let probe = &secret[..secret.len().min(24)];
        assert!(
            !log.contains(probe),
            "a secret ({} chars) is in the log",
            secret.len()
        );
        for message in &messages {
            assert!(
                !message.contains(probe),
                "a secret is in an error message: {message}"
            );
        }
    }
}
