//! `graphdesk-bench`: GraphDesk against the real MSAL Python and msal-node in one run — the same emulated tenant, the
//! same synthetic caches (1 and 1,000 accounts × 5 access tokens, each library's own format) — and the app's own size,
//! start and memory. Prints one Markdown report (also written to `target/bench-report.md`): ratios, not absolute
//! times, with the targets beside them. `--smoke` runs every measurement a few times only (CI keeps it working);
//! `--no-app` skips the app section (it needs a display server and a release binary).

mod app;
mod caches;
mod graphdesk;
mod peers;
mod report;

use std::path::PathBuf;

/// How much to measure.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub silent_iterations: usize,
    pub peer_iterations: usize,
    pub refreshes: usize,
    pub launches: usize,
    pub graph_requests: usize,
}

impl Plan {
    fn full() -> Self {
        Self {
            silent_iterations: 20_000,
            peer_iterations: 2_000,
            refreshes: 50,
            launches: 5,
            graph_requests: 1_000,
        }
    }

    fn smoke() -> Self {
        Self {
            silent_iterations: 200,
            peer_iterations: 20,
            refreshes: 3,
            launches: 1,
            graph_requests: 20,
        }
    }
}

/// The workspace's target directory.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let known = ["--smoke", "--no-app", "--help"];
    if let Some(unknown) = args.iter().find(|a| !known.contains(&a.as_str())) {
        eprintln!("graphdesk-bench: unknown argument {unknown} (use --smoke, --no-app)");
        std::process::exit(2);
    }
    if args.iter().any(|a| a == "--help") {
        println!(
            "graphdesk-bench [--smoke] [--no-app]: GraphDesk vs MSAL Python and msal-node; the app's size, start, memory"
        );
        return;
    }
    let plan = if args.iter().any(|a| a == "--smoke") {
        Plan::smoke()
    } else {
        Plan::full()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let libraries = match runtime.block_on(peers::compare(plan)) {
        Ok(libraries) => libraries,
        Err(error) => {
            eprintln!("graphdesk-bench: {error}");
            std::process::exit(1);
        }
    };
    let app = if args.iter().any(|a| a == "--no-app") {
        None
    } else {
        match app::measure(plan) {
            Ok(app) => Some(app),
            Err(error) => {
                eprintln!("graphdesk-bench: the app could not be measured: {error}");
                std::process::exit(1);
            }
        }
    };
    let text = report::render(&libraries, app.as_ref(), plan);
    print!("{text}");
    let path = target_dir().join("bench-report.md");
    if let Err(error) = std::fs::write(&path, &text) {
        eprintln!(
            "graphdesk-bench: could not write {}: {error}",
            path.display()
        );
    }
}
