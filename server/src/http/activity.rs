//! A connection's last sign of life. [`Tracked`] wraps the socket and notes
//! every byte read or written; [`Activity::stalled`] resolves when the
//! client sent nothing at all within the header timeout (hyper's own header
//! timer only starts once the HTTP version is known), or when nothing moved
//! either way for the idle timeout.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pub struct Activity {
    started: Instant,
    /// Milliseconds after `started` of the last byte moved.
    last: AtomicU64,
    read_any: AtomicBool,
}

impl Default for Activity {
    fn default() -> Self {
        Activity {
            started: Instant::now(),
            last: AtomicU64::new(0),
            read_any: AtomicBool::new(false),
        }
    }
}

impl Activity {
    fn touch(&self) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(now, Ordering::Relaxed);
    }

    fn silent_for(&self) -> Duration {
        let last = Duration::from_millis(self.last.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    /// Resolves when the connection should be dropped for silence.
    pub async fn stalled(&self, first_byte: Duration, idle: Duration) {
        loop {
            let wait = if self.read_any.load(Ordering::Relaxed) {
                idle.saturating_sub(self.silent_for())
            } else {
                // Look again by the idle deadline: bytes may come meanwhile.
                first_byte.saturating_sub(self.started.elapsed()).min(idle)
            };
            if wait.is_zero() {
                return;
            }
            tokio::time::sleep(wait).await;
        }
    }
}

/// A socket that reports its traffic to an [`Activity`].
pub struct Tracked<T> {
    inner: T,
    activity: std::sync::Arc<Activity>,
}

impl<T> Tracked<T> {
    pub fn new(inner: T, activity: std::sync::Arc<Activity>) -> Self {
        Tracked { inner, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Tracked<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.read_any.store(true, Ordering::Relaxed);
            self.activity.touch();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Tracked<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    const FIRST: Duration = Duration::from_millis(150);
    const IDLE: Duration = Duration::from_millis(400);

    #[tokio::test]
    async fn a_silent_connection_stalls_at_the_first_byte_deadline() {
        let activity = Activity::default();
        let started = Instant::now();
        activity.stalled(FIRST, IDLE).await;
        let after = started.elapsed();
        assert!(after >= FIRST && after < IDLE, "{after:?}");
    }

    #[tokio::test]
    async fn traffic_keeps_a_connection_alive_until_it_goes_quiet() {
        let (client, server) = tokio::io::duplex(64);
        let activity = Arc::new(Activity::default());
        let mut tracked = Tracked::new(server, activity.clone());
        let mut client = client;
        let started = Instant::now();
        let talk = async {
            let mut byte = [0u8; 1];
            for _ in 0..6 {
                client.write_all(b"x").await.unwrap();
                tracked.read_exact(&mut byte).await.unwrap();
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        };
        let watch = activity.stalled(FIRST, IDLE);
        tokio::pin!(watch);
        tokio::select! {
            () = talk => {}
            () = &mut watch => panic!("stalled while bytes were moving"),
        }
        watch.await;
        assert!(
            started.elapsed() >= Duration::from_millis(600) + IDLE - Duration::from_millis(120)
        );
    }
}
