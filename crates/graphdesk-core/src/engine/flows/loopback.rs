//! The loopback redirect receiver (RFC 8252 §7.3), the fallback when the `graphdesk://` deep link cannot be registered:
//! listens on 127.0.0.1 on a random port until one redirect the sign-in accepts, answers it with a "you can close this
//! tab" page, and hands the URL to the pending-sign-in registry. Other requests (favicon, probes, a refused link) get an
//! error page and do not count. Each connection is served in its own task, for at most 10 s, at most 16 at once, so an
//! idle connection never holds up the redirect.

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
/// How long one connection may take, from accept to answer.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(10);
/// Connections served at once; more are closed.
const MAX_CONNECTIONS: usize = 16;

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
    // Each connection in its own task, with a lifetime and a cap on how many at once: an idle connection (a browser's
    // preconnect, a probe) never holds up the redirect. Dropping the set ends every connection still open.
    let mut connections = tokio::task::JoinSet::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let accepted = Arc::new(tokio::sync::Notify::new());
    loop {
        tokio::select! {
            () = accepted.notified() => return,
            incoming = listener.accept() => {
                let Ok((stream, _)) = incoming else {
                    continue;
                };
                // Over the cap: the connection is closed at once.
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    continue;
                };
                let (pending, clock, accepted) = (pending.clone(), clock.clone(), accepted.clone());
                connections.spawn(async move {
                    let _slot = slot;
                    let handled =
                        tokio::time::timeout(CONNECTION_LIFETIME, handle(stream, port, &pending, &*clock)).await;
                    if handled == Ok(true) {
                        accepted.notify_one();
                    }
                });
            }
        }
    }
}

/// Serves one connection; whether it brought the redirect the sign-in accepted.
async fn handle(
    mut stream: tokio::net::TcpStream,
    port: u16,
    pending: &PendingAuthorizations,
    clock: &dyn Clock,
) -> bool {
    let Some(target) = read_target(&mut stream).await else {
        return false;
    };
    let path = target.split('?').next().unwrap_or_default();
    if path != "/" {
        let _ = stream
            .write_all(response(404, "Not found.").as_bytes())
            .await;
        return false;
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
    status == 200
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::secret::OAuthState;

    #[tokio::test]
    async fn idle_connections_do_not_delay_the_redirect_and_it_stops_after_one() {
        let pending = Arc::new(PendingAuthorizations::new(
            RedirectUri::parse("graphdesk://auth").expect("uri"),
        ));
        let receiver = LoopbackReceiver::start(pending.clone(), Arc::new(SystemClock))
            .await
            .expect("listening");
        let address = receiver
            .redirect_uri()
            .as_str()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let (_, signed_in) = pending.register(
            OAuthState::new("s"),
            u64::MAX,
            Some(receiver.redirect_uri().clone()),
        );
        // Connections that never send a byte, as a browser's preconnects or a local probe.
        let mut idle = Vec::new();
        for _ in 0..4 {
            idle.push(
                tokio::net::TcpStream::connect(&address)
                    .await
                    .expect("connect"),
            );
        }
        let started = std::time::Instant::now();
        let mut browser = tokio::net::TcpStream::connect(&address)
            .await
            .expect("connect");
        browser
            .write_all(b"GET /?code=c&state=s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .expect("request");
        let mut page = String::new();
        browser.read_to_string(&mut page).await.expect("answer");
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the idle connections held the redirect up: {:?}",
            started.elapsed()
        );
        assert!(signed_in.await.is_ok(), "the sign-in got its redirect");
        // Done: the receiver stops listening.
        let stopped = async {
            loop {
                if tokio::net::TcpStream::connect(&address).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), stopped)
            .await
            .expect("no longer listening after the accepted redirect");
        drop(idle);
    }
}
