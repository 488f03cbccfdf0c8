//! The house's one rule, checked: in the core and in the shell every import points down the layer table below, and no
//! units import each other in a circle. A new module must be given a layer here (the test names it until it is); the
//! tables are the ones `ARCHITECTURE.md` explains.

use std::collections::BTreeMap;
use std::path::Path;

use graphdesk_e2e::layers::{import_graph, violations};

/// The core's units by layer. L0 the vocabulary (secrets, clock, cancellation, encodings, scopes, errors); L1 the wire
/// (HTTP seam, redirects, protocol answers, tokens' shapes, clouds, files' places); L2 what a configuration is; L3
/// where tokens are kept; L4 the engine with its flows; L5 what uses the engine (APIs, brokers); L6 session and
/// service, which the shell calls.
const CORE: &[(&str, u8)] = &[
    ("secret", 0),
    ("clock", 0),
    ("cancel", 0),
    ("backoff", 0),
    ("encoding", 0),
    ("scopes", 0),
    ("text", 0),
    ("error", 0),
    ("http", 1),
    ("redirect", 1),
    ("protocol", 1),
    ("id_token", 1),
    ("jwt_view", 1),
    ("cloud", 1),
    ("federation", 1),
    ("paths", 1),
    ("files", 1),
    ("authority", 2),
    ("config", 2),
    ("api", 2),
    ("settings", 2),
    ("keystore", 3),
    ("cache", 3),
    ("cache_status", 3),
    ("engine", 4),
    ("graph", 5),
    ("broker", 5),
    ("session", 6),
    ("service", 6),
];

/// The shell's units by layer. L0 what crosses to the window and the process's plumbing; L1–L3 how a session is opened
/// and held; L4 what shows state (tray, notifications); L5 the one fan-out for "something changed"; L6 what acts.
const SHELL: &[(&str, u8)] = &[
    ("ipc", 0),
    ("ipc_error", 0),
    ("logging", 0),
    ("opener", 0),
    ("confirm", 0),
    ("demo", 1),
    ("session", 2),
    ("state", 3),
    ("notify", 4),
    ("tray", 4),
    ("events", 5),
    ("background", 6),
    ("commands", 6),
    ("deep_link", 6),
    ("cli", 6),
    ("tray_actions", 6),
];

fn check(crate_dir: &str, table: &[(&'static str, u8)]) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crate_dir)
        .join("src");
    let graph = import_graph(&src);
    let layers: BTreeMap<&str, u8> = table.iter().copied().collect();
    let found = violations(&graph, &layers);
    assert!(
        found.is_empty(),
        "{crate_dir}: imports that break the layering:\n  {}\n\nthe graph: {graph:#?}",
        found.join("\n  ")
    );
    // The table names no unit that is gone.
    for unit in layers.keys() {
        assert!(
            graph.contains_key(*unit),
            "{crate_dir}: the table names `{unit}`, which is no module"
        );
    }
}

#[test]
fn the_core_imports_only_downwards_and_in_no_circle() {
    check("crates/graphdesk-core", CORE);
}

#[test]
fn the_shell_imports_only_downwards_and_in_no_circle() {
    check("src-tauri", SHELL);
}
