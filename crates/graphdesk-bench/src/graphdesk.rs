//! GraphDesk's side of the comparison, in-process: the token engine with the app's encrypted cache file, against the
//! same tenant the peers use. The same measurements, in the same JSON shape, as the peer scripts print.

use std::sync::Arc;
use std::time::{Duration, Instant};

use graphdesk_core::cache::persist::CacheFile;
use graphdesk_core::clock::{ManualClock, SystemClock, TokioSleeper};
use graphdesk_core::config::ClientConfig;
use graphdesk_core::engine::{SilentOptions, TokenEngine};
use graphdesk_core::http::ReqwestClient;
use graphdesk_core::keystore::InMemoryKeyStore;
use graphdesk_core::secret::Password;
use graphdesk_tenant::{DEMO_CLIENT_ID, RunningTenant};
use serde_json::{Value, json};

use crate::Plan;

/// The demo app's configuration against `tenant`.
pub fn config(tenant: &RunningTenant) -> Result<ClientConfig, String> {
    ClientConfig::builder(DEMO_CLIENT_ID)
        .authority(tenant.authority("organizations"))
        .extra_root_ca_pem(tenant.ca_pem())
        .build()
        .map_err(|e| e.to_string())
}

fn engine(tenant: &RunningTenant, manual: Option<Arc<ManualClock>>) -> Result<TokenEngine, String> {
    let http = ReqwestClient::new(Duration::from_secs(30), Some(tenant.ca_pem()))
        .map_err(|e| e.to_string())?
        .shared();
    Ok(match manual {
        Some(clock) => TokenEngine::new(config(tenant)?, http, clock.clone(), Arc::new(clock)),
        None => TokenEngine::new(
            config(tenant)?,
            http,
            Arc::new(SystemClock),
            Arc::new(TokioSleeper),
        ),
    })
}

/// Median and 99th percentile of `samples`, in microseconds.
pub fn percentiles(mut samples: Vec<Duration>) -> Value {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    json!({
        "median_us": at(0.5).as_secs_f64() * 1e6,
        "p99_us": at(0.99).as_secs_f64() * 1e6,
    })
}

fn median_ms(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1e3
}

async fn silent_hits(engine: &TokenEngine, home: &str, iterations: usize) -> Result<Value, String> {
    let scopes = vec!["User.Read".to_owned()];
    let options = SilentOptions::default();
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        let hit = engine.acquire_token_silent(&scopes, home, &options).await;
        samples.push(started.elapsed());
        if hit.map_err(|e| e.to_string())?.source != graphdesk_core::engine::TokenSource::Cache {
            return Err("GraphDesk's silent call was not a cache hit".into());
        }
    }
    Ok(percentiles(samples))
}

/// The encrypted cache files, as the app keeps them (the key in a keystore; in memory here).
pub struct Files {
    pub one: CacheFile,
    pub thousand: CacheFile,
}

impl Files {
    pub fn new(dir: &std::path::Path) -> Self {
        let keys = Arc::new(InMemoryKeyStore::default());
        Self {
            one: CacheFile::new(dir.join("graphdesk_1.bin"), keys.clone()),
            thousand: CacheFile::new(dir.join("graphdesk_1000.bin"), keys),
        }
    }
}

/// Every measurement for GraphDesk.
pub async fn measure(tenant: &RunningTenant, files: &Files, plan: Plan) -> Result<Value, String> {
    let loaded = |file: &CacheFile| file.load().map(|l| l.cache).map_err(|e| e.to_string());
    let one = engine(tenant, None)?.with_cache(loaded(&files.one)?);
    let thousand = engine(tenant, None)?.with_cache(loaded(&files.thousand)?);
    let hit_1 = silent_hits(&one, &crate::caches::home(0), plan.silent_iterations).await?;
    let hit_1000 =
        silent_hits(&thousand, &crate::caches::home(999), plan.silent_iterations).await?;

    let load: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            files
                .thousand
                .load()
                .map(|_| started.elapsed())
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    if thousand.accounts().len() != 1_000 {
        return Err(format!(
            "{} accounts in the 1,000-account cache",
            thousand.accounts().len()
        ));
    }
    let list: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(thousand.accounts());
            started.elapsed()
        })
        .collect();

    // Refresh round trips: a real sign-in, then forced refreshes.
    let scopes = vec!["User.Read".to_owned()];
    let fresh = engine(tenant, None)?;
    let signed_in = fresh
        .acquire_token_by_username_password(
            &scopes,
            "adele@contoso.example",
            &Password::new("demo"),
        )
        .await
        .map_err(|e| e.to_string())?;
    let home = signed_in.account.home_account_id.clone();
    let forced = SilentOptions {
        force_refresh: true,
        ..SilentOptions::default()
    };
    let mut refreshes = Vec::new();
    for _ in 0..plan.refreshes {
        let started = Instant::now();
        fresh
            .acquire_token_silent(&scopes, &home, &forced)
            .await
            .map_err(|e| e.to_string())?;
        refreshes.push(started.elapsed());
    }

    // 100 concurrent silent calls on an expired access token: the engine's clock moves 3,400 s on, leaving the hour-long
    // token less than the 5 minutes GraphDesk (like MSAL) requires (the ID token the refresh brings stays in date).
    let clock = Arc::new(ManualClock::at(graphdesk_core::clock::Clock::now(
        &SystemClock,
    )));
    let expiring = Arc::new(engine(tenant, Some(clock.clone()))?);
    expiring
        .acquire_token_by_username_password(
            &scopes,
            "adele@contoso.example",
            &Password::new("demo"),
        )
        .await
        .map_err(|e| e.to_string())?;
    clock.advance(3_400);
    tenant.clear_requests();
    let started = Instant::now();
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let (engine, scopes, home) = (expiring.clone(), scopes.clone(), home.clone());
            tokio::spawn(async move {
                engine
                    .acquire_token_silent(&scopes, &home, &SilentOptions::default())
                    .await
            })
        })
        .collect();
    let mut errors = 0;
    for call in calls {
        if !matches!(call.await, Ok(Ok(_))) {
            errors += 1;
        }
    }
    let wall = started.elapsed();
    let refreshes_seen = tenant
        .requests()
        .iter()
        .filter(|r| r.grant_type.as_deref() == Some("refresh_token"))
        .count();

    Ok(json!({
        "library": format!("GraphDesk {}", graphdesk_core::APP_VERSION),
        "hit_1": hit_1,
        "hit_1000": hit_1000,
        "load_1000_ms": median_ms(load),
        "list_1000_ms": median_ms(list),
        "refresh_ms": median_ms(refreshes),
        "concurrent": { "wall_ms": wall.as_secs_f64() * 1e3, "refreshes": refreshes_seen, "errors": errors },
    }))
}
