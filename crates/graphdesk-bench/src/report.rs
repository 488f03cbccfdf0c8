//! The report: one Markdown table of GraphDesk against each peer (values, then peer ÷ GraphDesk ratios, then the target
//! and whether it is met), and the app's own numbers against their targets.

use serde_json::Value;

use crate::Plan;
use crate::app::AppNumbers;

fn num(value: &Value, path: &[&str]) -> Option<f64> {
    path.iter().try_fold(value, |v, key| v.get(*key))?.as_f64()
}

fn show(value: Option<f64>, unit: &str) -> String {
    match value {
        None => "—".into(),
        Some(v) if unit == "µs" && v >= 1_000.0 => format!("{:.2} ms", v / 1_000.0),
        Some(v) if v >= 100.0 => format!("{v:.0} {unit}"),
        Some(v) if v >= 10.0 => format!("{v:.1} {unit}"),
        Some(v) => format!("{v:.2} {unit}"),
    }
    .trim()
    .to_owned()
}

fn ratio(peer: Option<f64>, ours: Option<f64>) -> String {
    match (peer, ours) {
        (Some(p), Some(o)) if o > 0.0 => format!("{:.1}×", p / o),
        _ => "—".into(),
    }
}

/// One row: a measurement, GraphDesk's and the peers' values, the ratios, and a target with its verdict.
struct Row<'a> {
    what: &'a str,
    path: &'a [&'a str],
    unit: &'a str,
    target: &'a str,
    /// Whether the target is met, given GraphDesk's value and the MSAL Python one.
    met: Option<fn(f64, f64) -> bool>,
}

pub fn render(results: &[Value], app: Option<&AppNumbers>, plan: Plan) -> String {
    let names: Vec<String> = results
        .iter()
        .map(|r| r["library"].as_str().unwrap_or("?").to_owned())
        .collect();
    let mut out = String::from("# GraphDesk benchmark\n\n");
    out.push_str(&format!(
        "Same machine, same emulated tenant (loopback https), same synthetic caches (1 and 1,000 accounts × 5 access tokens, \
         each library's own format); silent hits ask for `User.Read`. {} silent calls per GraphDesk series, {} per peer \
         series at 1 account (a tenth at 1,000), {} refreshes.\n\n",
        plan.silent_iterations, plan.peer_iterations, plan.refreshes
    ));
    let mut header = String::from("| measurement |");
    for name in &names {
        header.push_str(&format!(" {name} |"));
    }
    for name in names.iter().skip(1) {
        header.push_str(&format!(
            " {} ÷ GraphDesk |",
            name.split(' ').next().unwrap_or(name)
        ));
    }
    header.push_str(" target | met |\n");
    out.push_str(&header);
    out.push_str(&format!("|{}\n", " --- |".repeat(names.len() * 2 + 2)));
    let rows = [
        Row {
            what: "silent hit, 1 account, median",
            path: &["hit_1", "median_us"],
            unit: "µs",
            target: "≥ 20× faster than MSAL Python",
            met: Some(|o, p| p / o >= 20.0),
        },
        Row {
            what: "silent hit, 1 account, p99",
            path: &["hit_1", "p99_us"],
            unit: "µs",
            target: "",
            met: None,
        },
        Row {
            what: "silent hit, 1,000 accounts, median",
            path: &["hit_1000", "median_us"],
            unit: "µs",
            target: "≥ 1,000× faster than MSAL Python",
            met: Some(|o, p| p / o >= 1_000.0),
        },
        Row {
            what: "silent hit, 1,000 accounts, p99",
            path: &["hit_1000", "p99_us"],
            unit: "µs",
            target: "",
            met: None,
        },
        Row {
            what: "load (GraphDesk: + decrypt) + index, 1,000 accounts",
            path: &["load_1000_ms"],
            unit: "ms",
            target: "≥ 10× faster than MSAL Python",
            met: Some(|o, p| p / o >= 10.0),
        },
        Row {
            what: "list accounts, 1,000 accounts",
            path: &["list_1000_ms"],
            unit: "ms",
            target: "",
            met: None,
        },
        Row {
            what: "refresh round trip, median",
            path: &["refresh_ms"],
            unit: "ms",
            target: "",
            met: None,
        },
        Row {
            what: "100 concurrent silent calls, expired token: wall",
            path: &["concurrent", "wall_ms"],
            unit: "ms",
            target: "",
            met: None,
        },
        Row {
            what: "… refresh requests the tenant saw",
            path: &["concurrent", "refreshes"],
            unit: "",
            target: "exactly 1",
            met: Some(|o, _| o == 1.0),
        },
        Row {
            what: "… calls that failed",
            path: &["concurrent", "errors"],
            unit: "",
            target: "0",
            met: Some(|o, _| o == 0.0),
        },
    ];
    for row in rows {
        let values: Vec<Option<f64>> = results.iter().map(|r| num(r, row.path)).collect();
        let mut line = format!("| {} |", row.what);
        for value in &values {
            line.push_str(&format!(" {} |", show(*value, row.unit)));
        }
        for value in values.iter().skip(1) {
            line.push_str(&format!(" {} |", ratio(*value, values[0])));
        }
        let verdict = match (row.met, values[0], values.get(1).copied().flatten()) {
            (Some(met), Some(ours), Some(python)) => {
                if met(ours, python) {
                    "yes"
                } else {
                    "**no**"
                }
            }
            _ => "",
        };
        line.push_str(&format!(" {} | {verdict} |\n", row.target));
        out.push_str(&line);
    }
    if let (Some(one), Some(thousand)) = (
        num(&results[0], &["hit_1", "median_us"]),
        num(&results[0], &["hit_1000", "median_us"]),
    ) {
        let scale = thousand / one;
        out.push_str(&format!(
            "\nGraphDesk's silent hit at 1,000 accounts ÷ at 1 account: {scale:.2}× (target ≤ 2×: {}).\n",
            if scale <= 2.0 { "met" } else { "**missed**" }
        ));
    }
    if let Some(app) = app {
        out.push_str(
            "\n## The app\n\n| measurement | value | target | met |\n| --- | --- | --- | --- |\n",
        );
        let mb = |bytes: u64| bytes as f64 / 1_048_576.0;
        let lines = [
            (
                "release binary",
                format!("{:.1} MB", mb(app.binary_bytes)),
                "≤ 15 MB",
                mb(app.binary_bytes) <= 15.0,
            ),
            (
                "launch to first paint (median of runs, Xvfb)",
                format!("{} ms", app.first_paint_ms),
                "≤ 500 ms",
                app.first_paint_ms <= 500,
            ),
            (
                "idle RSS after sign-in (app process)",
                format!("{:.0} MB", mb(app.idle_rss)),
                "≤ 90 MB",
                mb(app.idle_rss) <= 90.0,
            ),
        ];
        for (what, value, target, met) in lines {
            out.push_str(&format!(
                "| {what} | {value} | {target} | {} |\n",
                if met { "yes" } else { "**no**" }
            ));
        }
        out.push_str(&format!(
            "| idle: the app process's own (anonymous) memory | {:.0} MB | | |\n\
             | idle: the app process's PSS (shared libraries shared out) | {:.0} MB | | |\n\
             | idle, with WebKit's web and network processes (PSS) | {:.0} MB | | |\n\
             | RSS after {} Graph requests through the window (app process) | {:.0} MB | | |\n\
             | … with WebKit's processes (PSS) | {:.0} MB | | |\n",
            mb(app.idle_anon),
            mb(app.idle_pss),
            mb(app.idle_pss_total),
            app.graph_requests,
            mb(app.after_requests_rss),
            mb(app.after_requests_pss_total),
        ));
    }
    out
}
