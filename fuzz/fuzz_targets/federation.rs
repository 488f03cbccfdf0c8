//! Fuzzes what a federation server (or a realm discovery answer) can send Integrated Windows Authentication: the user
//! realm JSON, the MEX document (both endpoint kinds) and the WS-Trust answer, each any bytes. Nothing panics; an endpoint chosen from MEX is
//! always https; an assertion taken from an answer is a piece of that answer, byte for byte, and an element.
#![no_main]

use graphdesk_core::federation::{mex, realm, wstrust};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = realm::parse(data);
    let text = String::from_utf8_lossy(data);
    for endpoint in [
        mex::windows_transport_endpoint(&text),
        mex::username_password_endpoint(&text),
    ]
    .into_iter()
    .flatten()
    .flatten()
    {
        assert_eq!(endpoint.url.scheme(), "https", "{endpoint:?}");
    }
    if let Ok(assertion) = wstrust::parse_response(data) {
        let xml = assertion.xml.secret();
        assert!(xml.starts_with(b"<") && xml.ends_with(b">"));
        assert!(data.windows(xml.len()).any(|w| w == xml), "the assertion is cut from the answer");
    }
});
