//! Fuzzes the token endpoint's answer as the engine reads it: any status, any body.
#![no_main]

use graphdesk_core::http::HttpResponse;
use graphdesk_core::protocol::{error_code, oauth_error, parse_token_response, retry_after};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data.split_first() {
        Some((first, rest)) => (
            if *first < 128 {
                200
            } else {
                400 + u16::from(*first % 100)
            },
            rest,
        ),
        None => (200, data),
    };
    let response = HttpResponse {
        status,
        headers: vec![(
            "retry-after".into(),
            String::from_utf8_lossy(&body[..body.len().min(16)]).into_owned(),
        )],
        body: body.to_vec(),
    };
    let _ = parse_token_response(&response);
    let _ = error_code(&response);
    let _ = retry_after(&response);
    let error = oauth_error(&response);
    let _ = error.to_string();
});
