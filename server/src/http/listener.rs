//! The accept loop. `axum::serve` sets no timer, which silently turns off
//! hyper's header read timeout (50 half-sent requests stayed open for good)
//! and has no connection cap; this loop drives hyper-util's HTTP/1 + HTTP/2
//! server itself with a timer, a cap, an idle watchdog and a bounded
//! graceful shutdown.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use super::activity::{Activity, Tracked};
use super::saturation::RETRY_AFTER_SECS;
use crate::config::HttpConfig;
use portal_core::metrics::Metrics;

/// Connections being refused at once; past it, a refused one is just closed.
const MAX_REFUSING: usize = 64;
/// How long a refusal may take to write its answer and see the client go.
const REFUSAL_TIME: Duration = Duration::from_secs(1);

/// Serve `router` on `listener` until `shutdown`, then give in-flight
/// requests `http.shutdown_grace_secs` before closing what is left.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    http: &HttpConfig,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) -> io::Result<()> {
    let header_read = Duration::from_secs(http.header_read_timeout_secs.max(1));
    let idle = Duration::from_secs(http.idle_timeout_secs.max(1));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read)
        .keep_alive(true);
    builder.http2().timer(TokioTimer::new());
    let connections = Arc::new(Semaphore::new(http.max_connections));
    let refusing = Arc::new(Semaphore::new(MAX_REFUSING));
    let graceful = GracefulShutdown::new();
    let mut tasks = JoinSet::new();
    // Log the change into and out of saturation, not every refusal.
    let mut saturated = false;
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, don't spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        while tasks.try_join_next().is_some() {}
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            metrics.connection_refused();
            if let Ok(turn) = refusing.clone().try_acquire_owned() {
                tasks.spawn(async move {
                    refuse(stream).await;
                    drop(turn);
                });
            }
            if !saturated {
                tracing::warn!(%peer, limit = http.max_connections, "refusing connections: too many open (http.max_connections)");
                saturated = true;
            }
            continue;
        };
        if saturated {
            tracing::info!("accepting connections again");
            saturated = false;
        }
        let open = metrics.connection_opened();
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::default());
        let io = TokioIo::new(Tracked::new(stream, activity.clone()));
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(Body::new))
        });
        let connection = graceful.watch(
            builder
                .serve_connection_with_upgrades(io, service)
                .into_owned(),
        );
        tasks.spawn(async move {
            tokio::select! {
                outcome = connection => {
                    if let Err(e) = outcome {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                }
                () = activity.stalled(header_read, idle) => {
                    tracing::debug!(%peer, "connection closed: silent too long");
                }
            }
            drop((permit, open));
        });
    }
    drop(listener);
    let grace = Duration::from_secs(http.shutdown_grace_secs);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            open = tasks.len(),
            "grace period over (http.shutdown_grace_secs): closing the remaining connections"
        );
    }
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// Answer a connection over the cap with a bare `503` and close it. The
/// request is not read; the client's bytes are drained briefly so the close
/// does not reset the connection before the answer is read.
async fn refuse(mut stream: TcpStream) {
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nretry-after: {RETRY_AFTER_SECS}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    let _ = tokio::time::timeout(REFUSAL_TIME, async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        loop {
            if tokio::io::AsyncReadExt::read(&mut stream, &mut sink).await? == 0 {
                return Ok::<_, io::Error>(());
            }
        }
    })
    .await;
}
