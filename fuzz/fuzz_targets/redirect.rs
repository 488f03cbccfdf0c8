//! Fuzzes the sign-in redirect parser: any `graphdesk://` link a web page can launch, and any loopback request line.
#![no_main]

use graphdesk_core::redirect::{RedirectUri, fingerprint, parse_redirect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let app = RedirectUri::parse("graphdesk://auth").expect("the app's redirect URI");
    let loopback = RedirectUri::parse("http://127.0.0.1:53123/").expect("a loopback URI");
    for uri in [&app, &loopback] {
        if let Ok(response) = parse_redirect(&text, uri) {
            // Whatever is accepted must be a link to this very target, bounded in size.
            assert!(text.len() <= graphdesk_core::redirect::MAX_REDIRECT_LEN);
            let _ = format!("{response:?}");
        }
    }
    let _ = fingerprint(&text);
});
