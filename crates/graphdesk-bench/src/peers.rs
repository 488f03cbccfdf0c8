//! The comparison: starts the emulated tenant, writes the synthetic caches for each library, measures GraphDesk
//! in-process and the peers (MSAL Python and msal-node, installed from the registries on first use) by their scripts.

use graphdesk_core::cache::interop::Dialect;
use graphdesk_tenant::peers;
use graphdesk_tenant::{RunningTenant, TenantServer};
use serde_json::Value;

use crate::Plan;

/// The results, GraphDesk first, in the JSON shape the scripts print.
pub async fn compare(plan: Plan) -> Result<Vec<Value>, String> {
    let tenant = TenantServer::new()
        .admin_api()
        .plain_http()
        .start()
        .await
        .map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let ca = dir.path().join("tenant-ca.pem");
    std::fs::write(&ca, tenant.ca_pem()).map_err(|e| e.to_string())?;

    let config = crate::graphdesk::config(&tenant)?;
    let engine = graphdesk_core::engine::TokenEngine::new(
        config,
        std::sync::Arc::new(NoHttp),
        std::sync::Arc::new(graphdesk_core::clock::SystemClock),
        std::sync::Arc::new(graphdesk_core::clock::TokioSleeper),
    );
    let scope = engine.cache_scope();
    let issuer = format!(
        "{}/{}/v2.0",
        tenant.https_url(),
        graphdesk_tenant::DEMO_TENANT_ID
    );
    let now = graphdesk_core::clock::Clock::now(&graphdesk_core::clock::SystemClock);
    let files = crate::graphdesk::Files::new(dir.path());
    let mut written = Vec::new();
    for (accounts, file) in [(1usize, &files.one), (1_000, &files.thousand)] {
        let mut cache = crate::caches::build(&scope, &issuer, accounts, now);
        file.save(&mut cache).map_err(|e| e.to_string())?;
        for (dialect, name) in [(Dialect::MsalPython, "python"), (Dialect::MsalNode, "node")] {
            let path = dir.path().join(format!("{name}_{accounts}.json"));
            std::fs::write(&path, cache.export(&scope, dialect)).map_err(|e| e.to_string())?;
            written.push((name, accounts, path));
        }
    }
    eprintln!("graphdesk-bench: measuring GraphDesk");
    let mut results = vec![crate::graphdesk::measure(&tenant, &files, plan).await?];

    let python = peers::python_with_msal()?;
    let node_dir = peers::msal_node()?;
    for (name, mut command) in [
        ("python", tokio::process::Command::new(&python)),
        ("node", tokio::process::Command::new("node")),
    ] {
        eprintln!("graphdesk-bench: measuring {name}");
        let script = match name {
            "python" => peers::scripts_dir().join("bench_msal_python.py"),
            _ => node_dir.join("bench_msal_node.mjs"),
        };
        command.arg(script).current_dir(&node_dir);
        command.envs(peer_env(&tenant, &ca, plan));
        for (peer, accounts, path) in &written {
            if *peer == name {
                command.env(format!("CACHE_{accounts}"), path);
            }
        }
        let stdout = peers::output_of(command, &format!("the {name} benchmark")).await?;
        let line = stdout.lines().last().unwrap_or_default();
        results.push(
            serde_json::from_str(line)
                .map_err(|e| format!("{name} printed no JSON ({e}): {stdout}"))?,
        );
    }
    Ok(results)
}

fn peer_env(tenant: &RunningTenant, ca: &std::path::Path, plan: Plan) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = peers::script_env(tenant, "adele@contoso.example", ca)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    env.extend([
        ("PASSWORD".to_owned(), "demo".to_owned()),
        ("ACCOUNT_1".to_owned(), crate::caches::home(0)),
        ("ACCOUNT_1000".to_owned(), crate::caches::home(999)),
        ("ITERATIONS".to_owned(), plan.peer_iterations.to_string()),
        ("REFRESHES".to_owned(), plan.refreshes.to_string()),
    ]);
    env
}

/// The cache scope needs no network; nothing else here is sent through this client.
#[derive(Debug)]
struct NoHttp;

impl graphdesk_core::http::HttpClient for NoHttp {
    fn send(
        &self,
        _: graphdesk_core::http::HttpRequest,
    ) -> graphdesk_core::clock::BoxFuture<
        '_,
        Result<graphdesk_core::http::HttpResponse, graphdesk_core::http::TransportError>,
    > {
        Box::pin(async {
            Err(graphdesk_core::http::TransportError::Other(
                "no network here".into(),
            ))
        })
    }
}
