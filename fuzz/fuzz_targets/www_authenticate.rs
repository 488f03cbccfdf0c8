//! Fuzzes the `WWW-Authenticate` reader (RFC 9110 §11.6.1) as the Graph client calls it on a 401: any number of header
//! values, each any text. Every challenge it returns has a scheme that is an RFC 9110 token, and parameter names are lower case
//! (what `param` looks up); seeds come from the MSAL fixtures' recorded headers at run time (fuzz/run.sh).
#![no_main]

use graphdesk_core::protocol::challenges;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // One header value per line, as a response with several WWW-Authenticate headers has them.
    let found = challenges(text.split('\n'));
    for challenge in &found {
        assert!(!challenge.scheme.is_empty(), "{found:?}");
        assert!(
            challenge
                .scheme
                .chars()
                .all(|c| c.is_ascii_graphic() && c != ','),
            "{found:?}"
        );
        for (name, _) in &challenge.params {
            assert_eq!(*name, name.to_ascii_lowercase(), "{found:?}");
            let _ = challenge.param(name);
        }
    }
});
