//! `graphdesk-tenant`: runs the emulated tenant on loopback with the demo directory, prints its URLs, and writes its CA
//! certificate where clients can trust it. Control it at run time through `/_admin/…` (faults, clock, revocation,
//! request log, browserless sign-in) with the bearer token it prints: a web page that reaches 127.0.0.1 cannot.

use std::path::PathBuf;

use clap::Parser;
use graphdesk_tenant::{DEMO_CLIENT_ID, DEMO_TENANT_ID, TenantConfig, TenantServer};

/// Runs an emulated Microsoft identity platform tenant and a slice of Microsoft Graph on 127.0.0.1.
///
/// Demo directory: tenant contoso.example with adele@, megan@ (needs MFA), alex@ (no photo), lee@ — password "demo" —
/// and a personal account sam@outlook.example; the demo app's client id is printed at start.
///
/// Point GraphDesk (or MSAL) at the printed authority, trust the CA file, and use the demo client id.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// https port (0: any free port).
    #[arg(long, default_value_t = 0)]
    https_port: u16,
    /// http port (0: any free port).
    #[arg(long, default_value_t = 0)]
    http_port: u16,
    /// Write the CA certificate (PEM) to this file.
    #[arg(long)]
    ca_out: Option<PathBuf>,
    /// Access and ID token lifetime, seconds.
    #[arg(long, default_value_t = 3600)]
    token_lifetime: u64,
    /// Send `refresh_in` (seconds) in token responses.
    #[arg(long)]
    refresh_in: Option<u64>,
    /// Device code polling interval, seconds.
    #[arg(long, default_value_t = 5)]
    device_interval: u64,
    /// Print one JSON line with the URLs instead of text (for scripts).
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GRAPHDESK_TENANT_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = TenantConfig {
        access_token_lifetime: args.token_lifetime,
        refresh_in: args.refresh_in,
        device_code_interval: args.device_interval,
        ..TenantConfig::default()
    };
    let tenant = match TenantServer::new()
        .config(config)
        .ports(args.https_port, args.http_port)
        .admin_api()
        .plain_http()
        .start()
        .await
    {
        Ok(tenant) => tenant,
        Err(error) => {
            eprintln!("graphdesk-tenant: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Some(path) = &args.ca_out
        && let Err(error) = std::fs::write(path, tenant.ca_pem())
    {
        eprintln!("graphdesk-tenant: cannot write {}: {error}", path.display());
        return std::process::ExitCode::FAILURE;
    }
    let http = tenant.http_url().unwrap_or_default();
    let admin_token = tenant.admin_token().unwrap_or_default();
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "https": tenant.https_url(), "http": http,
                "authority": tenant.authority("organizations"), "tenant_id": DEMO_TENANT_ID,
                "client_id": DEMO_CLIENT_ID, "ca_file": args.ca_out, "admin_token": admin_token,
            })
        );
    } else {
        println!("GraphDesk emulated tenant");
        println!("  https:      {}", tenant.https_url());
        println!("  http:       {http}");
        println!(
            "  authority:  {}  (or /common, /{DEMO_TENANT_ID}, /contoso.example)",
            tenant.authority("organizations")
        );
        println!("  client id:  {DEMO_CLIENT_ID}");
        println!("  graph:      {}/v1.0/me", tenant.https_url());
        match &args.ca_out {
            Some(path) => println!("  CA:         {}", path.display()),
            None => println!("  CA:         {http}/_admin/ca.pem (or pass --ca-out FILE)"),
        }
        println!("  admin API:  {http}/_admin/…  with  Authorization: Bearer {admin_token}");
        println!(
            "  users:      adele@contoso.example, megan@ (MFA), alex@ (no photo), lee@ — password: demo"
        );
    }
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
