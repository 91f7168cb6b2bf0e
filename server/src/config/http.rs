//! `[http]`: request limits, connection and stream caps, allowed hosts and
//! the page cache budget. Defaults suit a team portal: a few hundred
//! browsers, each with a handful of live streams, behind one reverse proxy.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Whole-request timeout for ordinary routes, in seconds.
    pub request_timeout_secs: u64,
    /// Largest accepted request body, in bytes.
    pub body_limit_bytes: usize,
    /// Hosts (`name` or `name:port`, `"*"` for any) a request may name in
    /// `Host`. Empty: `localhost`, `127.0.0.1` and `[::1]` with the listening
    /// port when listening on loopback, any host otherwise (with a warning).
    pub allowed_hosts: Vec<String>,
    /// Seconds a client has to send a request's headers once the connection
    /// waits for one (this also closes an idle HTTP/1 keep-alive connection).
    pub header_read_timeout_secs: u64,
    /// Seconds without a byte moving either way after which a connection is
    /// closed (an idle HTTP/2 connection, a stalled upload, a client that
    /// stopped reading). Must exceed `sse_keepalive_secs` and the longest
    /// silent response (a check may run `checks.max_timeout_secs`, 60 s).
    pub idle_timeout_secs: u64,
    /// Open connections at once; past it a new one gets `503` and is closed.
    pub max_connections: usize,
    /// Open event streams at once, over all clients.
    pub max_streams: usize,
    /// Open event streams of one client address (a browser opens a few per
    /// tab; a proxy-less office NAT shares one address).
    pub max_streams_per_client: usize,
    /// Seconds in-flight requests get to finish at shutdown before their
    /// connections are closed. Event streams end at once.
    pub shutdown_grace_secs: u64,
    /// Memory budget of the rendered-page cache, in bytes (0 turns it off).
    pub page_cache_bytes: u64,
    /// Longest accepted path and query, in bytes; longer gets `414`.
    pub max_uri_bytes: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            request_timeout_secs: 30,
            body_limit_bytes: 2 * 1024 * 1024,
            allowed_hosts: Vec::new(),
            // Browsers send a whole request head in one packet; 10 s covers
            // a slow mobile link and still frees a slowloris socket quickly.
            header_read_timeout_secs: 10,
            // Above the 60 s check timeout and the 15 s SSE keep-alive.
            idle_timeout_secs: 75,
            // Far above a team's browsers, far below the default fd limit
            // headroom (ulimit -n is often 65,536 in containers).
            max_connections: 4096,
            // Half the connections: every viewer may hold a stream or two.
            max_streams: 2048,
            // A responder with ten tabs open, each with its alert and
            // incident streams, stays well below it.
            max_streams_per_client: 64,
            shutdown_grace_secs: 10,
            page_cache_bytes: 32 * 1024 * 1024,
            // Label-filled runbook links are a few hundred bytes; 8 KB
            // queries still pass.
            max_uri_bytes: 16 * 1024,
        }
    }
}

impl HttpConfig {
    /// The values that would make the portal refuse everything or nothing.
    pub fn problems(&self, sse_keepalive_secs: u64) -> Option<String> {
        if self.max_connections == 0 || self.max_streams == 0 || self.max_streams_per_client == 0 {
            return Some(
                "http.max_connections, http.max_streams and http.max_streams_per_client must be at least 1".into(),
            );
        }
        if self.header_read_timeout_secs == 0 || self.idle_timeout_secs == 0 {
            return Some(
                "http.header_read_timeout_secs and http.idle_timeout_secs must be at least 1"
                    .into(),
            );
        }
        if self.idle_timeout_secs <= sse_keepalive_secs {
            return Some(format!(
                "http.idle_timeout_secs ({}) must exceed sse_keepalive_secs ({sse_keepalive_secs}), or quiet streams are cut",
                self.idle_timeout_secs
            ));
        }
        if self.max_uri_bytes < 1024 {
            return Some("http.max_uri_bytes must be at least 1024".into());
        }
        None
    }
}
