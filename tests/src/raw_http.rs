//! HTTP over a bare TCP socket, for tests of what clients may do wrong:
//! half-sent requests, silent connections, bodies that never arrive.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A connection to the portal at `url` (`http://127.0.0.1:PORT`).
pub async fn connect(url: &str) -> Result<TcpStream> {
    let address = url.strip_prefix("http://").context("http URL")?;
    Ok(TcpStream::connect(address).await?)
}

/// How a wait on a connection ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// The server closed it (EOF or reset) after this long.
    Closed(Duration),
    /// Still open when the wait gave up.
    Open,
}

/// Read and discard until the server closes the connection, at most `limit`;
/// returns the text received too.
pub async fn wait_closed(stream: &mut TcpStream, limit: Duration) -> (Ended, String) {
    let started = Instant::now();
    let mut text = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let left = limit.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return (Ended::Open, String::from_utf8_lossy(&text).into()),
            Ok(Ok(0)) | Ok(Err(_)) => {
                return (
                    Ended::Closed(started.elapsed()),
                    String::from_utf8_lossy(&text).into(),
                );
            }
            Ok(Ok(n)) => text.extend_from_slice(&buffer[..n]),
        }
    }
}

/// Send `request` and read one response head and body of `Content-Length`
/// bytes (or until the server closes), at most `limit`.
pub async fn exchange(stream: &mut TcpStream, request: &str, limit: Duration) -> Result<String> {
    stream.write_all(request.as_bytes()).await?;
    let started = Instant::now();
    let mut text = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let received = String::from_utf8_lossy(&text).to_string();
        if let Some(end) = received.find("\r\n\r\n") {
            let length = received[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if text.len() >= end + 4 + length {
                return Ok(received);
            }
        }
        let left = limit.saturating_sub(started.elapsed());
        let n = tokio::time::timeout(left, stream.read(&mut buffer))
            .await
            .context("no complete response in time")??;
        if n == 0 {
            return Ok(received);
        }
        text.extend_from_slice(&buffer[..n]);
    }
}
