//! The loopback redirect receiver (RFC 8252 §7.3), the fallback when the `graphdesk://` deep link cannot be registered:
//! listens on 127.0.0.1 on a random port, accepts one request at its path, answers with a "you can close this tab"
//! page, and hands the URL to the pending-sign-in registry. Other requests (favicon, probes) get a 404 and do not count.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::engine::flows::pending::PendingAuthorizations;
use crate::error::CoreError;
use crate::redirect::RedirectUri;

/// Largest request head read (a redirect with a code is ~2 KB).
const MAX_REQUEST: usize = 16 * 1024;

/// A listening receiver; dropped, it stops.
#[derive(Debug)]
pub struct LoopbackReceiver {
    redirect_uri: RedirectUri,
    task: JoinHandle<()>,
}

impl LoopbackReceiver {
    /// Binds 127.0.0.1 on a free port and serves until one redirect for this path arrived (or it is dropped).
    pub async fn start(
        pending: Arc<PendingAuthorizations>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, CoreError> {
        let listener =
            TcpListener::bind(("127.0.0.1", 0))
                .await
                .map_err(|e| CoreError::Network {
                    detail: format!("cannot listen on 127.0.0.1 for the sign-in redirect: {e}"),
                })?;
        let port = listener
            .local_addr()
            .map_err(|e| CoreError::Network {
                detail: e.to_string(),
            })?
            .port();
        let redirect_uri = RedirectUri::parse(&format!("http://127.0.0.1:{port}/"))?;
        let task = tokio::spawn(serve(listener, port, pending, clock));
        Ok(Self { redirect_uri, task })
    }

    /// `http://127.0.0.1:PORT/`
    pub fn redirect_uri(&self) -> &RedirectUri {
        &self.redirect_uri
    }
}

impl Drop for LoopbackReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    listener: TcpListener,
    port: u16,
    pending: Arc<PendingAuthorizations>,
    clock: Arc<dyn Clock>,
) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let target =
            match tokio::time::timeout(Duration::from_secs(10), read_target(&mut stream)).await {
                Ok(Some(target)) => target,
                _ => continue,
            };
        let path = target.split('?').next().unwrap_or_default();
        if path != "/" {
            let _ = stream
                .write_all(response(404, "Not found.").as_bytes())
                .await;
            continue;
        }
        let url = format!("http://127.0.0.1:{port}{target}");
        let (status, text) = match pending.deliver(&url, clock.now()) {
            Ok(()) => (
                200,
                "Sign-in complete. You can close this tab and return to GraphDesk.",
            ),
            Err(error) => {
                tracing::warn!(%error, "loopback redirect refused");
                (
                    400,
                    "This sign-in link was not accepted. Return to GraphDesk and start the sign-in again.",
                )
            }
        };
        let _ = stream.write_all(response(status, text).as_bytes()).await;
        let _ = stream.shutdown().await;
        if status == 200 {
            return;
        }
    }
}

/// Reads the request head and returns the request target of a `GET`.
async fn read_target(stream: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buffer = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 || buffer.len() + read > MAX_REQUEST {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    let head = std::str::from_utf8(&buffer).ok()?;
    let mut parts = head.lines().next()?.split(' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("GET"), Some(target), Some(version))
            if version.starts_with("HTTP/1.") && target.starts_with('/') =>
        {
            Some(target.to_owned())
        }
        _ => None,
    }
}

fn response(status: u16, text: &str) -> String {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>GraphDesk</title></head>\
         <body style=\"font:16px system-ui;margin:3rem\"><p>{text}</p></body></html>"
    );
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}
