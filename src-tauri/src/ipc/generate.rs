//! Writes the window's side of the IPC contract, `ui/src/ipc.gen.ts`, from Rust: every payload type (ts-rs, from the
//! serde attributes the wire uses), every command with its arguments and answer (read from `commands.rs` as the
//! `#[tauri::command]` functions are written), and every event with its payload (`events!` in `mod.rs`). The test fails
//! when the file is stale; `GRAPHDESK_UPDATE_IPC=1 cargo test -p graphdesk ipc` rewrites it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ts_rs::{Config, TS};

/// The file the window imports.
fn generated_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/ipc.gen.ts")
}

/// One declared type: its TypeScript name, declaration, and the names it refers to.
struct Declared {
    name: String,
    decl: String,
    needs: Vec<String>,
}

fn declared<T: TS + 'static>(cfg: &Config) -> Declared {
    Declared {
        name: T::ident(cfg),
        decl: format!("export {}", T::decl(cfg)),
        needs: T::dependencies(cfg)
            .into_iter()
            .map(|d| d.ts_name)
            .collect(),
    }
}

/// Every type that crosses IPC, in the order the file declares them.
fn types(cfg: &Config) -> Vec<Declared> {
    use graphdesk_core::cache::account::{Account, TenantProfile};
    use graphdesk_core::cache::interop::{Dialect, ImportSummary};
    use graphdesk_core::cache::schema::EntryWarning;
    use graphdesk_core::cache_status::CacheStatus;
    use graphdesk_core::engine::TokenSource;
    use graphdesk_core::engine::flows::device_code::{DeviceCodeFlow, DeviceCodeProgress};
    use graphdesk_core::error::{
        ConfigField, GraphError, KeyringError, RedirectError, RequestField, ServerError,
        UiRequired, UiRequiredReason, WindowsSignInError,
    };
    use graphdesk_core::graph::{ApiResponse, UserProfile};
    use graphdesk_core::http::Method;
    use graphdesk_core::jwt_view::JwtView;
    use graphdesk_core::service::{AppStatus, RedirectReceipt};
    use graphdesk_core::session::{ApiResult, SessionMode, TokenSummary};
    use graphdesk_core::settings::{Cloud, Settings};

    vec![
        declared::<serde_json::Value>(cfg),
        declared::<CacheStatus>(cfg),
        declared::<SessionMode>(cfg),
        declared::<AppStatus>(cfg),
        declared::<RedirectError>(cfg),
        declared::<WindowsSignInError>(cfg),
        declared::<RedirectReceipt>(cfg),
        declared::<TenantProfile>(cfg),
        declared::<Account>(cfg),
        declared::<TokenSource>(cfg),
        declared::<JwtView>(cfg),
        declared::<TokenSummary>(cfg),
        declared::<DeviceCodeFlow>(cfg),
        declared::<DeviceCodeProgress>(cfg),
        declared::<ApiResponse>(cfg),
        declared::<ApiResult>(cfg),
        declared::<UserProfile>(cfg),
        declared::<Cloud>(cfg),
        declared::<Settings>(cfg),
        declared::<Method>(cfg),
        declared::<Dialect>(cfg),
        declared::<EntryWarning>(cfg),
        declared::<ImportSummary>(cfg),
        declared::<crate::commands::GraphRequest>(cfg),
        declared::<UiRequiredReason>(cfg),
        declared::<UiRequired>(cfg),
        declared::<ServerError>(cfg),
        declared::<GraphError>(cfg),
        declared::<KeyringError>(cfg),
        declared::<ConfigField>(cfg),
        declared::<RequestField>(cfg),
        declared::<crate::ipc_error::IpcError>(cfg),
        declared::<super::QuickRefreshDone>(cfg),
    ]
}

/// A command as `commands.rs` writes it.
#[derive(Debug)]
struct Command {
    name: String,
    /// (argument name as the window sends it, TypeScript type)
    args: Vec<(String, String)>,
    answer: String,
}

/// Arguments Tauri supplies itself, never the window.
const INJECTED: [&str; 4] = ["AppHandle", "State", "Window", "WebviewWindow"];

/// The `#[tauri::command]` functions of `commands.rs`, in file order.
fn commands(known: &BTreeMap<String, ()>) -> Vec<Command> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands.rs");
    let source = std::fs::read_to_string(&path).expect("commands.rs");
    let file = syn::parse_file(&source).expect("commands.rs parses");
    let mut found = Vec::new();
    for item in file.items {
        let syn::Item::Fn(function) = item else {
            continue;
        };
        let is_command = function.attrs.iter().any(|a| {
            let path = a.path();
            path.segments.len() == 2
                && path.segments[0].ident == "tauri"
                && path.segments[1].ident == "command"
        });
        if !is_command {
            continue;
        }
        let name = function.sig.ident.to_string();
        let mut args = Vec::new();
        for input in &function.sig.inputs {
            let syn::FnArg::Typed(typed) = input else {
                panic!("{name}: a command takes no self");
            };
            if last_segment(&typed.ty).is_some_and(|s| INJECTED.contains(&s.as_str())) {
                continue;
            }
            let syn::Pat::Ident(ident) = typed.pat.as_ref() else {
                panic!("{name}: arguments are plain names");
            };
            // Tauri takes a command's arguments in camelCase.
            args.push((
                camel_case(&ident.ident.to_string()),
                typescript(&typed.ty, known, &name),
            ));
        }
        let answer = match &function.sig.output {
            syn::ReturnType::Default => "null".to_owned(),
            syn::ReturnType::Type(_, ty) => answer_type(ty, known, &name),
        };
        found.push(Command { name, args, answer });
    }
    found
}

fn camel_case(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn last_segment(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Reference(reference) => last_segment(&reference.elem),
        _ => None,
    }
}

fn generic_args(ty: &syn::Type) -> Vec<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return Vec::new();
    };
    let Some(last) = path.path.segments.last() else {
        return Vec::new();
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return Vec::new();
    };
    args.args
        .iter()
        .filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// A command's answer: `Result<T, IpcError>` answers `T` (its error reaches the window as an `IpcError`).
fn answer_type(ty: &syn::Type, known: &BTreeMap<String, ()>, command: &str) -> String {
    if last_segment(ty).as_deref() == Some("Result") {
        let args = generic_args(ty);
        assert_eq!(
            args.get(1).and_then(|e| last_segment(e)).as_deref(),
            Some("IpcError"),
            "{command}: a command's error is an IpcError"
        );
        return typescript(args[0], known, command);
    }
    typescript(ty, known, command)
}

/// The TypeScript of a Rust type written in a command's signature.
fn typescript(ty: &syn::Type, known: &BTreeMap<String, ()>, command: &str) -> String {
    if let syn::Type::Tuple(tuple) = ty
        && tuple.elems.is_empty()
    {
        return "null".to_owned();
    }
    let name = last_segment(ty).unwrap_or_else(|| {
        panic!(
            "{command}: a type GraphDesk cannot name: {}",
            quote::quote!(#ty)
        )
    });
    let args = generic_args(ty);
    match name.as_str() {
        "Option" => format!("{} | null", typescript(args[0], known, command)),
        "Vec" => format!("Array<{}>", typescript(args[0], known, command)),
        "Box" => typescript(args[0], known, command),
        "String" | "str" => "string".to_owned(),
        "bool" => "boolean".to_owned(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" => "number".to_owned(),
        other if known.contains_key(other) => other.to_owned(),
        other => panic!(
            "{command}: `{other}` crosses IPC but has no generated type: derive ts_rs::TS for it and add it to `types()`"
        ),
    }
}

/// The whole generated file.
fn generate() -> String {
    let cfg = Config::new().with_large_int("number");
    let types = types(&cfg);
    let known: BTreeMap<String, ()> = types.iter().map(|t| (t.name.clone(), ())).collect();
    for declared in &types {
        for need in &declared.needs {
            assert!(
                known.contains_key(need),
                "`{}` refers to `{need}`, which `types()` does not declare",
                declared.name
            );
        }
    }
    let mut out = String::from(
        "// Generated from GraphDesk's Rust types by src-tauri/src/ipc/generate.rs: do not edit. To regenerate, run\n\
         // `GRAPHDESK_UPDATE_IPC=1 cargo test -p graphdesk ipc`; a test fails while this file is stale.\n\n",
    );
    for declared in &types {
        out.push_str(&declared.decl);
        out.push_str("\n\n");
    }
    out.push_str("/** Every command: what the window sends, and what it answers (its error is an `IpcError`). */\n");
    out.push_str("export type Commands = {\n");
    for command in commands(&known) {
        let args = command
            .args
            .iter()
            .map(|(name, ty)| format!("{name}: {ty}"))
            .collect::<Vec<_>>()
            .join("; ");
        let args = if args.is_empty() {
            "Record<string, never>".to_owned()
        } else {
            format!("{{ {args} }}")
        };
        out.push_str(&format!(
            "  {}: {{ args: {args}; answer: {} }};\n",
            command.name, command.answer
        ));
    }
    out.push_str("};\n\n");
    let events = super::all_events(&cfg);
    out.push_str(
        "/** Every event the window can listen to, by its wire name. */\nexport const EVENTS = {\n",
    );
    for (event, name, _) in &events {
        out.push_str(&format!("  {}: \"{name}\",\n", lower_first(event)));
    }
    out.push_str("} as const;\n\n/** What each event carries. */\nexport type EventPayloads = {\n");
    for (_, name, payload) in &events {
        assert!(
            payload == "null"
                || payload
                    .split(" | ")
                    .all(|p| p == "null" || known.contains_key(p)),
            "an event carries `{payload}`, which `types()` does not declare"
        );
        out.push_str(&format!("  \"{name}\": {payload};\n"));
    }
    out.push_str("};\n");
    out
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

#[test]
fn the_generated_ipc_types_are_current() {
    let generated = generate();
    let path = generated_file();
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk == generated {
        return;
    }
    if std::env::var_os("GRAPHDESK_UPDATE_IPC").is_some() {
        std::fs::write(&path, generated).expect("write ipc.gen.ts");
        return;
    }
    panic!(
        "{} is stale: the Rust side of the IPC contract changed. Run `GRAPHDESK_UPDATE_IPC=1 cargo test -p graphdesk ipc` \
         and commit the file.",
        path.display()
    );
}

#[test]
fn every_registered_command_is_in_the_contract() {
    let known = types(&Config::new())
        .into_iter()
        .map(|t| (t.name, ()))
        .collect();
    let names: Vec<String> = commands(&known).into_iter().map(|c| c.name).collect();
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("lib.rs");
    let registered = lib
        .split("generate_handler![")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .expect("the invoke handler");
    let registered: Vec<&str> = registered
        .split(',')
        .map(|c| c.trim().trim_start_matches("commands::"))
        .filter(|c| !c.is_empty())
        .collect();
    let mut expected = names.clone();
    expected.sort();
    let mut registered = registered
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    registered.sort();
    assert_eq!(
        registered, expected,
        "lib.rs registers exactly the commands of commands.rs"
    );
}
