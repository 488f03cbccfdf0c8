//! Conformance against artifacts nobody on GraphDesk wrote (issue 13): the MSAL .NET, msal-node, msal-common and MSAL
//! Python test fixtures, recorded Entra answers and documentation samples in `../shared/msal-fixtures` (beside the
//! clone; `GRAPHDESK_MSAL_FIXTURES` overrides). They are read, never committed. Every file there must have a check
//! here — one MSAL's test defines what it means (`SOURCES.md`) — or the test fails; a fresh clone without the folder
//! skips with a notice. The project's own self-contained tests of the same behaviours sit beside the code.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use graphdesk_core::cache::interop::Dialect;
use graphdesk_core::cache::schema::parse_document;
use graphdesk_core::cache::{CacheScope, TokenCache};
use graphdesk_core::clock::{Clock, ManualClock, SystemClock};
use graphdesk_core::cloud::InstanceMetadata;
use graphdesk_core::config::ClientConfig;
use graphdesk_core::engine::TokenEngine;
use graphdesk_core::error::CoreError;
use graphdesk_core::http::{HttpResponse, ReqwestClient};
use graphdesk_core::protocol;
use graphdesk_core::scopes::Scopes;
use serde_json::Value;

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn json(dir: &Path, file: &str) -> Value {
    let bytes = read(dir, file);
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// An engine of `client_id` at `authority` over a cache imported from `file` (no request is ever sent).
fn engine(dir: &Path, file: &str, authority: &str, client_id: &str) -> TokenEngine {
    let config = ClientConfig::builder(client_id)
        .authority(authority)
        .build()
        .expect("config");
    let http = ReqwestClient::new(Duration::from_secs(1), None)
        .expect("http")
        .shared();
    let clock = Arc::new(ManualClock::at(SystemClock.now()));
    let engine = TokenEngine::new(config, http, clock.clone(), Arc::new(clock));
    let summary = engine
        .import_cache(&read(dir, file))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(
        summary.warnings.is_empty(),
        "{file}: {:?}",
        summary.warnings
    );
    engine
}

fn scope(environment: &str, realm: &str, client_id: &str) -> CacheScope {
    CacheScope {
        environment: environment.into(),
        realm: realm.into(),
        client_id: client_id.into(),
    }
}

/// Every entry of `before` (section, key) is in `after`, unknown fields included, secrets byte for byte.
fn nothing_lost(file: &str, before: &Value, after: &Value) {
    for (section, entries) in before.as_object().expect("object") {
        let Some(entries) = entries.as_object() else {
            assert_eq!(&after[section], entries, "{file}: section {section}");
            continue;
        };
        for entry in entries.values() {
            let found = after[section].as_object().is_some_and(|theirs| {
                theirs.values().any(|e| {
                    entry.as_object().is_some_and(|fields| {
                        fields.iter().all(|(k, v)| {
                            // GraphDesk moves this app's entries to its environment spelling; the rest is verbatim.
                            // `null` may come back absent or empty (MSAL .NET writes neither null nor "").
                            k == "environment"
                                || e.get(k) == Some(v)
                                || (v.is_null() && e.get(k).is_none_or(|x| x.is_null() || x == ""))
                        })
                    })
                })
            });
            assert!(found, "{file}: a {section} entry was lost or changed");
        }
    }
}

type Check = fn(&Path, &str);

const CHECKS: &[(&str, Check)] = &[
    ("msal-dotnet/MultiTenantTokenCache.json", multi_tenant),
    ("msal-dotnet/TokenCacheWithWamId.json", multi_tenant),
    ("msal-dotnet/SingleCloudTokenCache.json", single_cloud),
    ("msal-dotnet/MultiCloudTokenCache.json", multi_cloud),
    ("msal-dotnet/token_cache_one_acc_seed.json", one_account),
    ("msal-dotnet/token_cache_adfs.json", adfs),
    ("msal-dotnet/CacheFromTheFuture.json", from_the_future),
    ("msal-dotnet/cachecompat_python.bin", python_zero_x),
    (
        "msal-dotnet/OpenidConfigurationCommon.json",
        discovery_document,
    ),
    ("msal-dotnet/OpenidConfiguration.json", discovery_document),
    ("panva-wellknown/entra-common.json", discovery_document),
    (
        "panva-wellknown/entra-organizations.json",
        discovery_document,
    ),
    (
        "azure-sdk-for-js/tenant_openid_configuration.recorded-2021-04-28.json",
        discovery_document,
    ),
    ("msal-dotnet/CustomInstanceMetadata.json", instance_metadata),
    (
        "azure-sdk-for-js/instance_discovery.recorded-2021-04-28.json",
        instance_metadata,
    ),
    (
        "msal-dotnet/WwwAuthenticateParametersTests.headers.json",
        www_authenticate,
    ),
    (
        "entra-docs/claims_challenges.json",
        documented_claims_challenges,
    ),
    (
        "azure-sdk-for-js/keyvault_401_challenge.recorded-2021-04-28.json",
        plain_bearer_challenge,
    ),
    ("msal-node/cache.json", node_cache),
    ("msal-node/default-cache.json", node_cache),
    ("msal-node/cache-unrecognized-entities.json", round_trip),
    ("msal-node/Account.json", round_trip),
    ("msal-python/add_by_aad.cache.json", round_trip),
    ("msal-python/add_by_adfs.cache.json", round_trip),
    (
        "msal-python/authority_migration_sts.cache.json",
        python_alias_cache,
    ),
    (
        "msal-python/two_accounts_common.cache.json",
        python_two_accounts,
    ),
    (
        "msal-python/serializable_cache_setup.json",
        python_customized,
    ),
    (
        "msal-python/test_application.error_bodies.json",
        python_error_bodies,
    ),
    ("entra-docs/token_error.invalid_scope.json", entra_error),
    (
        "entra-docs/token_error.interaction_required_claims.json",
        entra_error,
    ),
    ("entra-docs/authorize_redirects.json", documented_redirects),
    ("graph-docs/me.response.json", graph_profile),
    ("graph-docs/error.invalidRange.json", graph_error_body),
    ("msal-node/TestConstants.extracted.json", node_constants),
    (
        "msal-common/StringConstants.extracted.json",
        common_constants,
    ),
];

#[test]
fn every_fixture_behaves_as_msal_defines() {
    let Some(dir) = common::msal_fixtures() else {
        println!(
            "msal-fixtures not found beside the clone (../shared/msal-fixtures): conformance skipped"
        );
        return;
    };
    let mut unchecked = Vec::new();
    for entry in walk(&dir) {
        let name = entry
            .strip_prefix(&dir)
            .expect("inside")
            .to_string_lossy()
            .replace('\\', "/");
        if name == "SOURCES.md" {
            continue;
        }
        match CHECKS.iter().find(|(file, _)| *file == name) {
            Some((file, check)) => check(&dir, file),
            None => unchecked.push(name),
        }
    }
    assert!(
        unchecked.is_empty(),
        "fixtures without a check: {unchecked:?}"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// `MultiTenantViaPcaAsync`: two people, one a guest in a second tenant; each tenant's token is its own, the guest is
/// one account with two tenant profiles, nothing is lost on the way out.
fn multi_tenant(dir: &Path, file: &str) {
    let client = "1d18b3b0-251b-4714-a02a-9956cec86c2d";
    let engine = engine(
        dir,
        file,
        "https://login.microsoftonline.com/common",
        client,
    );
    let accounts = engine.accounts();
    assert_eq!(accounts.len(), 2, "{file}");
    let guest = accounts
        .iter()
        .find(|a| a.tenant_profiles.len() == 2)
        .unwrap_or_else(|| panic!("{file}: the guest has two tenant profiles"));
    assert!(guest.tenant_profiles[0].is_home_tenant);
    let scope = engine.cache_scope();
    let wanted = Scopes::parse("User.Read");
    for profile in &guest.tenant_profiles {
        let realm = engine.read_cache(|c| {
            c.access_token_in(&scope, &profile.tenant_id, &guest.home_account_id, &wanted)
                .map(|at| at.realm.clone())
                .unwrap_or_else(|| panic!("{file}: a token in {}", profile.tenant_id))
        });
        assert_eq!(realm, profile.tenant_id, "{file}: each tenant's own token");
    }
    let before = json(dir, file);
    let after: Value =
        serde_json::from_slice(&engine.export_cache(Dialect::MsalNode)).expect("json");
    nothing_lost(file, &before, &after);
}

/// `CallsToPublicCloudDoNotHitTheNetworkAsync`: entries under every public-cloud alias are one cloud's.
fn single_cloud(dir: &Path, file: &str) {
    let engine = engine(
        dir,
        file,
        "https://login.microsoftonline.com/common",
        "0615b6ca-88d4-4884-8729-b178178f7c27",
    );
    assert_eq!(engine.accounts().len(), 2, "{file}");
}

/// `MultiCloudEnvAsync`: each cloud's app sees exactly its own account (China through `login.chinacloudapi.cn`).
fn multi_cloud(dir: &Path, file: &str) {
    let client = "0615b6ca-88d4-4884-8729-b178178f7c27";
    for (authority, env) in [
        (
            "https://login.microsoftonline.com/common",
            "login.windows.net",
        ),
        (
            "https://login.microsoftonline.de/common",
            "login.microsoftonline.de",
        ),
        (
            "https://login.chinacloudapi.cn/common",
            "login.partner.microsoftonline.cn",
        ),
    ] {
        let engine = engine(dir, file, authority, client);
        let accounts = engine.accounts();
        assert_eq!(accounts.len(), 1, "{file}: {authority}");
        let before = json(dir, file);
        let own = before["Account"]
            .as_object()
            .expect("accounts")
            .values()
            .find(|a| a["environment"] == env)
            .expect("the cloud's account");
        assert_eq!(
            accounts[0].home_account_id,
            own["home_account_id"].as_str().expect("id")
        );
    }
}

/// `EventFiresAsync`'s seed: one account.
fn one_account(dir: &Path, file: &str) {
    let doc = parse_document(&read(dir, file)).expect("parsed");
    assert_eq!(doc.accounts.len(), 1, "{file}");
    assert!(doc.warnings.is_empty());
    round_trip(dir, file);
}

/// `CacheWorksWithAdfsAsync`: no realm, no local_account_id, a negative `extended_expires_on` — one account, kept.
fn adfs(dir: &Path, file: &str) {
    let engine = engine(dir, file, "https://fs.msidlab8.com/adfs", "PublicClientId");
    assert_eq!(engine.accounts().len(), 1, "{file}");
    let after: Value =
        serde_json::from_slice(&engine.export_cache(Dialect::MsalNode)).expect("json");
    let at = after["AccessToken"]
        .as_object()
        .and_then(|m| m.values().next())
        .expect("AT");
    assert_eq!(
        at["extended_expires_on"], "-62135596800",
        "{file}: odd epochs survive"
    );
    nothing_lost(file, &json(dir, file), &after);
}

/// `UnknownNodesTestAsync`: trailing commas read, counts 5/4/3/3/3, unknown sections and a round trip equal.
fn from_the_future(dir: &Path, file: &str) {
    let doc =
        parse_document(&read(dir, file)).expect("trailing commas are read, as MSAL .NET does");
    assert_eq!(
        (
            doc.access_tokens.len(),
            doc.refresh_tokens.len(),
            doc.id_tokens.len(),
            doc.accounts.len(),
            doc.app_metadata.len()
        ),
        (5, 4, 3, 3, 3),
        "{file}"
    );
    for section in ["Foo", "EmptyArrayNode", "EmptyNode", "NullNode"] {
        assert!(doc.other.contains_key(section), "{file}: {section}");
    }
    let again = parse_document(&serde_json::to_vec(&doc).expect("json")).expect("reparsed");
    assert_eq!(again, doc, "{file}");
}

/// A 2019 MSAL Python cache (`target` lists, float times, `authority_type: AAD`): read, never refused; what does not fit
/// today's schema is kept verbatim with a warning.
fn python_zero_x(dir: &Path, file: &str) {
    let bytes = read(dir, file);
    let doc = parse_document(&bytes).expect("an old cache is read");
    assert!(
        !doc.warnings.is_empty(),
        "{file}: the list targets are reported"
    );
    let written: Value =
        serde_json::from_slice(&serde_json::to_vec(&doc).expect("json")).expect("json");
    nothing_lost(
        file,
        &serde_json::from_slice(&bytes).expect("json"),
        &written,
    );
}

/// OIDC discovery documents GraphDesk's discovery reads: https endpoints, an issuer (with `{tenantid}` for common).
fn discovery_document(dir: &Path, file: &str) {
    let doc = json(dir, file);
    let doc = if doc.get("metadata").is_some() {
        doc["metadata"].clone()
    } else {
        doc
    };
    let endpoints: graphdesk_core::authority::Endpoints =
        serde_json::from_value(doc).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(endpoints.token_endpoint.scheme() == "https", "{file}");
}

fn instance_metadata(dir: &Path, file: &str) {
    let doc = json(dir, file);
    let metadata = InstanceMetadata::parse(doc.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(
        metadata
            .group_of(doc["metadata"][0]["aliases"][0].as_str().expect("alias"))
            .is_some(),
        "{file}"
    );
    if file.contains("instance_discovery") {
        for (a, b) in [
            ("login.chinacloudapi.cn", "login.partner.microsoftonline.cn"),
            ("login.usgovcloudapi.net", "login.microsoftonline.us"),
            ("sts.windows.net", "login.microsoftonline.com"),
        ] {
            assert!(metadata.same_environment(a, b), "{file}: {a} ~ {b}");
            assert!(
                InstanceMetadata::builtin().same_environment(a, b),
                "built in: {a} ~ {b}"
            );
        }
    }
}

/// `WwwAuthenticateParametersTests`: the claims of an `insufficient_claims` Bearer challenge, whichever header holds it.
fn www_authenticate(dir: &Path, file: &str) {
    let doc = json(dir, file);
    for (case, value) in doc.as_object().expect("object") {
        let Some(headers) = value["headers"].as_array() else {
            continue;
        };
        let values: Vec<&str> = headers
            .iter()
            .filter(|h| {
                h[0].as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case("www-authenticate"))
            })
            .filter_map(|h| h[1].as_str())
            .collect();
        let challenges = protocol::challenges(values.iter().copied());
        let claims = challenges.iter().find(|c| {
            c.scheme.eq_ignore_ascii_case("bearer")
                && c.param("error") == Some("insufficient_claims")
        });
        // MSAL .NET's GetClaimChallengeFromResponseHeaders: only `error="insufficient_claims"` is a claims challenge.
        assert_eq!(
            claims.is_some(),
            case == "claims_insufficient",
            "{file}: {case}"
        );
        if let (Some(claims), Some(decoded)) = (claims, value["decoded_claims"].as_str()) {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(claims.param("claims").expect("claims"))
                .expect("base64");
            assert_eq!(
                serde_json::from_slice::<Value>(&bytes).expect("json"),
                serde_json::from_str::<Value>(decoded).expect("json"),
                "{file}: {case}"
            );
        }
        if case.contains("pop") {
            assert!(
                challenges
                    .iter()
                    .any(|c| c.scheme.eq_ignore_ascii_case("pop")),
                "{file}: {case}"
            );
        }
    }
}

fn documented_claims_challenges(dir: &Path, file: &str) {
    let doc = json(dir, file);
    for (case, value) in doc.as_object().expect("object") {
        let Some(header) = value["www_authenticate"].as_str() else {
            continue;
        };
        let challenges = protocol::challenges([header]);
        let claims = challenges
            .iter()
            .find(|c| c.param("error") == Some("insufficient_claims"))
            .and_then(|c| c.param("claims"))
            .unwrap_or_else(|| panic!("{file}: {case}"));
        use base64::Engine as _;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(claims)
            .expect("base64");
        assert_eq!(
            serde_json::from_slice::<Value>(&decoded).expect("json"),
            serde_json::from_str::<Value>(value["decoded_claims"].as_str().expect("decoded"))
                .expect("json"),
            "{file}: {case}"
        );
    }
}

/// A plain Bearer challenge is no claims challenge.
fn plain_bearer_challenge(dir: &Path, file: &str) {
    let doc = json(dir, file);
    let text = doc.to_string();
    let header = find_string(&doc, "Bearer ").unwrap_or_else(|| panic!("{file}: {text:.80}"));
    let challenges = protocol::challenges([header.as_str()]);
    assert_eq!(challenges.len(), 1, "{file}");
    assert!(challenges[0].param("error").is_none(), "{file}");
}

fn find_string(value: &Value, prefix: &str) -> Option<String> {
    match value {
        Value::String(s) if s.starts_with(prefix) => Some(s.clone()),
        Value::Array(items) => items.iter().find_map(|v| find_string(v, prefix)),
        Value::Object(map) => map.values().find_map(|v| find_string(v, prefix)),
        _ => None,
    }
}

/// msal-node's own cache: the PoP token is never the Bearer answer; both refresh tokens (the app's and the family's)
/// and every unknown field survive.
fn node_cache(dir: &Path, file: &str) {
    let bytes = read(dir, file);
    let before: Value = serde_json::from_slice(&bytes).expect("json");
    let realm = before["Account"]
        .as_object()
        .and_then(|m| m.values().next())
        .expect("account")["realm"]
        .as_str()
        .expect("realm")
        .to_owned();
    let mut cache = TokenCache::new();
    let scope = scope("login.microsoftonline.com", &realm, "mock_client_id");
    cache.import(&bytes, &scope).expect("imported");
    let bearer = cache
        .access_token_in(&scope, &realm, "uid.utid", &Scopes::parse("scope4 scope5"))
        .expect("a Bearer token");
    assert!(
        bearer.credential_type == "AccessToken" && !bearer.other.contains_key("tokenType"),
        "{file}"
    );
    assert_eq!(
        cache.document().refresh_tokens.len(),
        2,
        "{file}: family refresh token kept"
    );
    let after: Value =
        serde_json::from_slice(&cache.export(&scope, Dialect::MsalNode)).expect("json");
    nothing_lost(file, &before, &after);
}

/// Imported and exported in either library's conventions, nothing is lost.
fn round_trip(dir: &Path, file: &str) {
    let bytes = read(dir, file);
    let doc = parse_document(&bytes).expect("parsed");
    assert!(doc.warnings.is_empty(), "{file}: {:?}", doc.warnings);
    let before: Value =
        serde_json::from_slice(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes))
            .expect("json");
    let after: Value =
        serde_json::from_slice(&serde_json::to_vec(&doc).expect("json")).expect("json");
    nothing_lost(file, &before, &after);
}

/// MSAL Python under an alias (`sts.windows.net`) with `local_account_id: null`: found from the public cloud.
fn python_alias_cache(dir: &Path, file: &str) {
    let engine = engine(
        dir,
        file,
        "https://login.microsoftonline.com/common",
        "my_app",
    );
    assert_eq!(engine.accounts().len(), 1, "{file}");
    round_trip(dir, file);
}

/// `TestApplicationForRefreshInBehaviors` + FOCI: two accounts through `common` (MSAL Python's literal realm), the
/// family refresh token kept.
fn python_two_accounts(dir: &Path, file: &str) {
    let engine = engine(
        dir,
        file,
        "https://login.microsoftonline.com/common",
        "my_app",
    );
    assert_eq!(engine.accounts().len(), 2, "{file}");
    let families = engine.read_cache(|c| {
        c.document()
            .refresh_tokens
            .values()
            .filter(|rt| rt.family_id.is_some())
            .count()
    });
    assert!(families > 0, "{file}");
    round_trip(dir, file);
}

/// `SerializableTokenCacheTestCase`: `{"foo": "bar"}` and the key `customized` survive, with a warning, no refusal.
fn python_customized(dir: &Path, file: &str) {
    let mut cache = TokenCache::new();
    let summary = cache
        .import(
            &read(dir, file),
            &scope("login.microsoftonline.com", "common", "my_app"),
        )
        .expect("imported");
    assert_eq!(summary.warnings.len(), 1, "{file}");
    let after: Value = serde_json::from_slice(&cache.export(
        &scope("login.microsoftonline.com", "common", "my_app"),
        Dialect::MsalPython,
    ))
    .expect("json");
    assert_eq!(
        after["AccessToken"]["an-entry"],
        serde_json::json!({"foo": "bar"}),
        "{file}"
    );
    assert_eq!(after["customized"], "whatever", "{file}");
}

fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    }
}

/// `test_application.py`'s error bodies: every `invalid_grant` is "UI required" except `client_mismatch` (MSAL .NET's
/// exception too), and `{"error": "foo"}` is a server error.
fn python_error_bodies(dir: &Path, file: &str) {
    let doc = json(dir, file);
    for (case, body) in doc.as_object().expect("object") {
        let Some(body) = body.as_str() else { continue };
        let error = protocol::oauth_error(&response(400, body));
        let ui = matches!(error, CoreError::UiRequired(_));
        let expected = case.starts_with("invalid_grant") && !case.contains("client_mismatch");
        assert_eq!(ui, expected, "{file}: {case} → {error:?}");
    }
}

/// Documented Entra errors: the `\r\n` trace block never reaches the user; claims survive.
fn entra_error(dir: &Path, file: &str) {
    let body = json(dir, file);
    let error = protocol::oauth_error(&response(400, &body.to_string()));
    let (description, claims) = match &error {
        CoreError::UiRequired(ui) => (ui.description.clone(), ui.claims.clone()),
        CoreError::Server(server) => (server.description.clone(), None),
        other => panic!("{file}: {other:?}"),
    };
    let description = description.expect("a description");
    assert!(
        !description.contains("Trace ID") && !description.contains('\r'),
        "{file}: {description:?}"
    );
    assert!(!description.starts_with("AADSTS"), "{file}");
    assert_eq!(claims.is_some(), body.get("claims").is_some(), "{file}");
}

/// The documented redirects: the code, the plain error, and the admin-consent error whose trace block goes.
fn documented_redirects(dir: &Path, file: &str) {
    let doc = json(dir, file);
    for (case, url) in doc.as_object().expect("object") {
        let Some(url) = url.as_str().filter(|_| !case.starts_with('_')) else {
            continue;
        };
        let query: Vec<(String, String)> = url::Url::parse(url)
            .unwrap_or_else(|e| panic!("{file}: {case}: {e}"))
            .query_pairs()
            .into_owned()
            .collect();
        let has = |name: &str| query.iter().any(|(k, _)| k == name);
        assert!(has("code") != has("error"), "{file}: {case}");
        if let Some((_, description)) = query.iter().find(|(k, _)| k == "error_description") {
            let readable = protocol::readable_description(description);
            assert!(
                !readable.contains("Trace ID") && !readable.is_empty(),
                "{file}: {case}: {readable:?}"
            );
        }
    }
}

fn graph_profile(dir: &Path, file: &str) {
    let me = json(dir, file);
    assert!(
        me["displayName"].is_string() && me["id"].is_string(),
        "{file}"
    );
}

fn graph_error_body(dir: &Path, file: &str) {
    let body = json(dir, file);
    assert!(
        body["error"]["code"].is_string() && body["error"]["innerError"]["request-id"].is_string(),
        "{file}"
    );
}

/// msal-node's test constants: its authorization code is an opaque string GraphDesk never parses; its authority is an
/// Entra one GraphDesk accepts.
fn node_constants(dir: &Path, file: &str) {
    let doc = json(dir, file);
    let authority = doc["DEFAULT_AUTHORITY"].as_str().expect("authority");
    graphdesk_core::authority::Authority::entra(authority)
        .unwrap_or_else(|e| panic!("{file}: {e}"));
}

/// msal-common's sample token responses: Bearer ones parse; their ID tokens decode with `aud`, `iss` and `sub`.
fn common_constants(dir: &Path, file: &str) {
    let doc = json(dir, file);
    let mut parsed = 0;
    for (name, value) in doc.as_object().expect("object") {
        if !name.starts_with("AUTHENTICATION_RESULT") {
            continue;
        }
        let body = &value["body"];
        if !body.is_object()
            || body["token_type"]
                .as_str()
                .is_some_and(|t| !t.eq_ignore_ascii_case("bearer"))
        {
            continue;
        }
        let result = protocol::parse_token_response(&response(200, &body.to_string()));
        assert!(result.is_ok(), "{file}: {name}: {result:?}");
        parsed += 1;
    }
    assert!(parsed > 0, "{file}: no Bearer token response found");
}
