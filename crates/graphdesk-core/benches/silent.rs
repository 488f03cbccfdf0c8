//! How fast the token engine answers from its cache: a silent hit at 1 and 1,000 accounts × 5 access tokens (target:
//! single-digit microseconds, the 1,000-account hit within 2× of the 1-account hit), and loading, decrypting and indexing
//! a 1,000-account encrypted cache file.

use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use graphdesk_core::cache::persist::CacheFile;
use graphdesk_core::cache::{CacheScope, NewAccount, NewTokens, TokenCache};
use graphdesk_core::clock::{BoxFuture, ManualClock};
use graphdesk_core::config::ClientConfig;
use graphdesk_core::engine::{SilentOptions, TokenEngine};
use graphdesk_core::http::{HttpClient, HttpRequest, HttpResponse, TransportError};
use graphdesk_core::keystore::InMemoryKeyStore;

const CLIENT_ID: &str = "5a1e0d3c-9b7f-4e21-8c6d-0f2a4b6c8e10";
const NOW: u64 = 1_800_000_000;
/// Five non-overlapping scope sets: five access tokens per account; `User.Read` is a strict subset of the first (the
/// same caches `graphdesk-bench` gives the peers).
const TARGETS: [&str; 5] = [
    "User.Read User.ReadBasic.All",
    "Mail.Read Mail.Send",
    "Calendars.Read Calendars.ReadWrite",
    "Files.Read Files.Read.All",
    "Sites.Read.All Sites.ReadWrite.All",
];

/// A silent hit must not touch the network.
#[derive(Debug)]
struct NoNetwork;

impl HttpClient for NoNetwork {
    fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async {
            Err(TransportError::Other(
                "the benchmark expected a cache hit".into(),
            ))
        })
    }
}

fn cache(accounts: usize) -> TokenCache {
    let scope = CacheScope {
        environment: "login.microsoftonline.com".into(),
        realm: "organizations".into(),
        client_id: CLIENT_ID.into(),
    };
    let mut cache = TokenCache::new();
    for i in 0..accounts {
        let home =
            format!("{i:08}-0000-0000-0000-000000000000.72f988bf-86f1-41af-91ab-2d7cd011db47");
        let username = format!("user{i}@contoso.example");
        for target in TARGETS {
            let secret = format!("eyJ0eXAiOiJKV1Qi.{i}.{target}.{}", "s".repeat(1_200));
            cache.save(
                &scope,
                &NewTokens {
                    home_account_id: &home,
                    access_token: &secret,
                    target,
                    expires_on: NOW + 3_600,
                    extended_expires_on: Some(NOW + 3_600),
                    refresh_on: None,
                    refresh_token: Some("0.AR-refresh-token"),
                    family_id: None,
                    id_token: Some("eyJ.id.token"),
                    account: Some(NewAccount {
                        local_account_id: &home[..36],
                        username: &username,
                        name: Some("User"),
                    }),
                    now: NOW,
                },
            );
        }
    }
    cache
}

fn home(i: usize) -> String {
    format!("{i:08}-0000-0000-0000-000000000000.72f988bf-86f1-41af-91ab-2d7cd011db47")
}

fn engine(accounts: usize) -> TokenEngine {
    let config = ClientConfig::builder(CLIENT_ID).build().expect("config");
    let clock = Arc::new(ManualClock::at(NOW));
    TokenEngine::new(config, Arc::new(NoNetwork), clock.clone(), Arc::new(clock))
        .with_cache(cache(accounts))
}

fn silent_hit(c: &mut Criterion) {
    let mut group = c.benchmark_group("silent_hit");
    let scopes = vec!["User.Read".to_owned()];
    let options = SilentOptions::default();
    for accounts in [1usize, 1_000] {
        let engine = engine(accounts);
        let target = home(accounts / 2);
        // Prove it is a hit before measuring.
        futures::executor::block_on(engine.acquire_token_silent(&scopes, &target, &options))
            .expect("a cache hit");
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{accounts}_accounts_x5_tokens")),
            &accounts,
            |b, _| {
                b.iter(|| {
                    futures::executor::block_on(
                        engine.acquire_token_silent(&scopes, &target, &options),
                    )
                })
            },
        );
    }
    group.finish();
}

fn load_encrypted(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let keys = Arc::new(InMemoryKeyStore::default());
    let file = CacheFile::new(dir.path().join("token_cache.bin"), keys);
    let mut big = cache(1_000);
    file.save(&mut big).expect("written");
    let bytes = std::fs::metadata(file.path()).expect("meta").len();
    let mut group = c.benchmark_group("cache_file");
    group.measurement_time(Duration::from_secs(10));
    group.bench_function(
        format!("load_decrypt_index_1000_accounts_{}_KiB", bytes / 1024),
        |b| b.iter(|| file.load().expect("loaded")),
    );
    // Where the load's time goes: the JSON parse and the index alone (the rest is reading and decrypting).
    let json = big.to_json();
    group.bench_function("parse_index_1000_accounts", |b| {
        b.iter(|| TokenCache::from_json(&json).expect("parsed"))
    });
    group.finish();
}

criterion_group!(benches, silent_hit, load_encrypted);
criterion_main!(benches);
