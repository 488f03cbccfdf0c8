//! The app's own numbers, measured on the real binary (`GRAPHDESK_BIN`, the release build): its size; launch to first
//! paint under Xvfb (the window reports its first painted frame, the app logs the time since its process started);
//! memory when idle after a sign-in and after many Graph requests sent through the window's IPC — for the app process
//! (RSS) and with WebKit's web and network processes (PSS, so shared pages count once).

use std::time::{Duration, Instant};

use graphdesk_e2e::{App, Desktop, app_binary, wait_until};

use crate::Plan;

/// What the app measured.
#[derive(Debug, Clone)]
pub struct AppNumbers {
    pub binary_bytes: u64,
    pub first_paint_ms: u64,
    pub idle_rss: u64,
    /// The app process's own memory: anonymous pages (heap, stacks), without shared libraries' code.
    pub idle_anon: u64,
    /// The app process's proportional share (shared libraries divided among their users).
    pub idle_pss: u64,
    pub idle_pss_total: u64,
    pub graph_requests: usize,
    pub after_requests_rss: u64,
    pub after_requests_pss_total: u64,
}

/// A `kB` field of a /proc file, in bytes.
fn proc_kb(path: String, field: &str) -> u64 {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .find_map(|line| {
            line.strip_prefix(field)?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(0)
        * 1024
}

fn rss(pid: u32) -> u64 {
    proc_kb(format!("/proc/{pid}/status"), "VmRSS:")
}

/// `pid` and every process below it.
fn family(pid: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let child: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            let parent = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((child, parent))
        })
        .collect();
    let mut all = vec![pid];
    let mut index = 0;
    while index < all.len() {
        let current = all[index];
        all.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == current)
                .map(|(c, _)| *c),
        );
        index += 1;
    }
    all
}

fn pss_total(pid: u32) -> u64 {
    family(pid)
        .into_iter()
        .map(|p| proc_kb(format!("/proc/{p}/smaps_rollup"), "Pss:"))
        .sum()
}

/// The `ms=` of the newest "first paint" line in the app's logs, if any.
fn logged_first_paint(desktop: &Desktop) -> Option<u64> {
    let mut found = None;
    for entry in std::fs::read_dir(desktop.data_dir().join("logs"))
        .ok()?
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines().filter(|l| l.contains("first paint")) {
            found = line
                .split("ms=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok();
        }
    }
    found
}

fn first_paint(desktop: &Desktop) -> Result<u64, String> {
    let logs = desktop.data_dir().join("logs");
    let _ = std::fs::remove_dir_all(&logs);
    let mut child = desktop
        .command(app_binary())
        .env("GRAPHDESK_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("launching the app: {e}"))?;
    let started = Instant::now();
    let ms = loop {
        if let Some(ms) = logged_first_paint(desktop) {
            break Ok(ms);
        }
        if started.elapsed() > Duration::from_secs(60) {
            break Err("no first paint within 60 s".to_owned());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = child.kill();
    let _ = child.wait();
    ms
}

/// Every app measurement.
pub fn measure(plan: Plan) -> Result<AppNumbers, String> {
    let binary_bytes = std::fs::metadata(app_binary())
        .map_err(|e| e.to_string())?
        .len();
    eprintln!(
        "graphdesk-bench: measuring the app ({})",
        app_binary().display()
    );

    let mut desktop = Desktop::start();
    desktop.start_secret_service();
    first_paint(&desktop)?; // The first start creates the demo tenant's key and state; later starts are typical.
    let mut paints = (0..plan.launches)
        .map(|_| first_paint(&desktop))
        .collect::<Result<Vec<u64>, String>>()?;
    paints.sort_unstable();
    let first_paint_ms = paints[paints.len() / 2];

    let app = App::launch_with_env(
        "bench",
        desktop,
        &[],
        &App::scripted_browser("adele@contoso.example"),
    );
    app.click("#sign-in");
    app.wait_for("the token", "#token-source[data-source='interactive']");
    let pid = wait_until("the app's process", Duration::from_secs(10), || app.pid());
    std::thread::sleep(Duration::from_secs(10));
    let (idle_rss, idle_pss_total) = (rss(pid), pss_total(pid));
    let idle_anon = proc_kb(format!("/proc/{pid}/status"), "RssAnon:");
    let idle_pss = proc_kb(format!("/proc/{pid}/smaps_rollup"), "Pss:");

    let session = app.session();
    session.set_script_timeout(Duration::from_secs(600))?;
    let script = r#"
        const [count, done] = arguments;
        (async () => {
          let ok = 0;
          for (let i = 0; i < count; i++) {
            try {
              await window.__TAURI_INTERNALS__.invoke("graph_request", {
                request: { account: null, method: "GET", path: "/me", body: "", scopes: [] },
              });
              ok++;
            } catch (error) {}
          }
          done(ok);
        })();"#;
    let sent = session.execute_async(script, vec![serde_json::json!(plan.graph_requests)])?;
    if sent.as_u64() != Some(plan.graph_requests as u64) {
        return Err(format!(
            "{sent} of {} Graph requests succeeded",
            plan.graph_requests
        ));
    }
    std::thread::sleep(Duration::from_secs(2));
    Ok(AppNumbers {
        binary_bytes,
        first_paint_ms,
        idle_rss,
        idle_anon,
        idle_pss,
        idle_pss_total,
        graph_requests: plan.graph_requests,
        after_requests_rss: rss(pid),
        after_requests_pss_total: pss_total(pid),
    })
}
