//! Prometheus metrics of the portal itself, served at `/metrics`.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

/// Every label value below comes from a closed set (a method bucket, a
/// route pattern, a status code, a configured upstream, a static name), so
/// no request can add series: `/metrics` stays bounded however it is probed.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: &'static str,
    route: String,
    status: u16,
}

/// The standard methods by name; anything else (any token is a valid
/// method) is counted as `other`.
fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "other",
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PollLabels {
    upstream: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpstreamLabels {
    upstream: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckLabels {
    kind: &'static str,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    source: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

pub struct Metrics {
    registry: Registry,
    check_runs: Family<CheckLabels, Counter>,
    check_duration: Family<KindLabels, Histogram>,
    check_refusals: Family<ReasonLabels, Counter>,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<HttpLabels, Histogram>,
    polls: Family<PollLabels, Counter>,
    poll_duration: Family<UpstreamLabels, Histogram>,
    incidents_opened: Counter,
    runbooks_loaded: Gauge,
    index_builds: Counter,
    upstream_data_age: Family<UpstreamLabels, Gauge<f64, AtomicU64>>,
    upstream_up: Family<UpstreamLabels, Gauge>,
    sse_subscribers: Gauge,
    sse_events: Counter,
    alerts_leader: Gauge,
    connections_open: Gauge,
    connections_refused: Counter,
    history_recorded: Family<SourceLabels, Counter>,
    history_pruned: Counter,
}

fn latency_histogram() -> Histogram {
    // 1 ms … ~16 s
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("runbook_portal");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration = Family::<HttpLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let polls = Family::<PollLabels, Counter>::default();
        let poll_duration = Family::<UpstreamLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let incidents_opened = Counter::default();
        let runbooks_loaded = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests answered",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests",
            http_duration.clone(),
        );
        registry.register(
            "upstream_polls",
            "Polls of upstream alert sources",
            polls.clone(),
        );
        registry.register(
            "upstream_poll_duration_seconds",
            "Duration of upstream polls",
            poll_duration.clone(),
        );
        registry.register(
            "incidents_opened",
            "Incidents opened",
            incidents_opened.clone(),
        );
        registry.register(
            "runbooks_loaded",
            "Runbooks in the current index",
            runbooks_loaded.clone(),
        );
        let connections_open = Gauge::default();
        let connections_refused = Counter::default();
        registry.register(
            "connections_open",
            "Open client connections",
            connections_open.clone(),
        );
        registry.register(
            "connections_refused",
            "Connections refused with 503 over http.max_connections",
            connections_refused.clone(),
        );
        let index_builds = Counter::default();
        registry.register(
            "runbook_index_builds",
            "Runbook indexes built (start, file changes, saves, revisions from replicas)",
            index_builds.clone(),
        );
        let upstream_data_age = Family::<UpstreamLabels, Gauge<f64, AtomicU64>>::default();
        let upstream_up = Family::<UpstreamLabels, Gauge>::default();
        let sse_subscribers = Gauge::default();
        let sse_events = Counter::default();
        let alerts_leader = Gauge::default();
        registry.register(
            "alerts_leader",
            "1 while this portal is the poller leader (polls the upstreams and publishes)",
            alerts_leader.clone(),
        );
        registry.register(
            "upstream_data_age_seconds",
            "Seconds since the upstream last answered a poll (age of the snapshot's data)",
            upstream_data_age.clone(),
        );
        registry.register(
            "upstream_up",
            "1 when the upstream's last poll succeeded",
            upstream_up.clone(),
        );
        registry.register(
            "sse_subscribers",
            "Open alert-state SSE streams",
            sse_subscribers.clone(),
        );
        registry.register(
            "sse_events",
            "Alert-state SSE events sent",
            sse_events.clone(),
        );
        let check_runs = Family::<CheckLabels, Counter>::default();
        let check_duration = Family::<KindLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let check_refusals = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "check_runs",
            "Diagnosis check runs by kind and result",
            check_runs.clone(),
        );
        registry.register(
            "check_run_duration_seconds",
            "Duration of diagnosis check runs",
            check_duration.clone(),
        );
        registry.register(
            "check_refusals",
            "Check runs refused before running, by reason",
            check_refusals.clone(),
        );
        let history_recorded = Family::<SourceLabels, Counter>::default();
        let history_pruned = Counter::default();
        registry.register(
            "history_transitions_recorded",
            "Alert transitions written to the history, by source (poll, webhook)",
            history_recorded.clone(),
        );
        registry.register(
            "history_transitions_pruned",
            "Alert transitions deleted by retention pruning",
            history_pruned.clone(),
        );
        Metrics {
            registry,
            history_recorded,
            history_pruned,
            check_runs,
            check_duration,
            check_refusals,
            upstream_data_age,
            upstream_up,
            sse_subscribers,
            sse_events,
            alerts_leader,
            http_requests,
            http_duration,
            polls,
            poll_duration,
            incidents_opened,
            runbooks_loaded,
            index_builds,
            connections_open,
            connections_refused,
        }
    }

    pub fn record_http(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let labels = HttpLabels {
            method: method_label(method),
            route: route.to_string(),
            status,
        };
        self.http_requests.get_or_create(&labels).inc();
        self.http_duration
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    pub fn record_poll(&self, upstream: &str, elapsed: Duration, ok: bool) {
        let outcome = if ok { "success" } else { "error" };
        self.polls
            .get_or_create(&PollLabels {
                upstream: upstream.to_string(),
                outcome,
            })
            .inc();
        self.poll_duration
            .get_or_create(&UpstreamLabels {
                upstream: upstream.to_string(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Set at scrape time from the snapshot: age of each upstream's data
    /// (`+Inf` before its first success) and whether it is up.
    pub fn set_upstream_health(&self, upstream: &str, age_secs: f64, up: bool) {
        let labels = UpstreamLabels {
            upstream: upstream.to_string(),
        };
        self.upstream_data_age.get_or_create(&labels).set(age_secs);
        self.upstream_up.get_or_create(&labels).set(i64::from(up));
    }

    /// Whether this portal polls the upstreams now (leads) or follows.
    pub fn set_alerts_leader(&self, leading: bool) {
        self.alerts_leader.set(i64::from(leading));
    }

    /// An SSE stream opened; the guard closes it when dropped.
    pub fn sse_opened(self: &std::sync::Arc<Self>) -> SseGuard {
        self.sse_subscribers.inc();
        SseGuard(self.clone())
    }

    pub fn sse_event(&self) {
        self.sse_events.inc();
    }

    pub fn check_ran(&self, kind: &'static str, status: &'static str, elapsed: Duration) {
        self.check_runs
            .get_or_create(&CheckLabels { kind, status })
            .inc();
        self.check_duration
            .get_or_create(&KindLabels { kind })
            .observe(elapsed.as_secs_f64());
    }

    pub fn check_refused(&self, reason: &'static str) {
        self.check_refusals
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    /// `source` is `poll` or `webhook`.
    pub fn history_recorded(&self, source: &'static str, rows: u64) {
        self.history_recorded
            .get_or_create(&SourceLabels { source })
            .inc_by(rows);
    }

    pub fn history_pruned(&self, rows: u64) {
        self.history_pruned.inc_by(rows);
    }

    pub fn incident_opened(&self) {
        self.incidents_opened.inc();
    }

    /// Counts an open connection until the guard drops.
    pub fn connection_opened(self: &std::sync::Arc<Self>) -> ConnectionGuard {
        self.connections_open.inc();
        ConnectionGuard(self.clone())
    }

    pub fn connection_refused(&self) {
        self.connections_refused.inc();
    }

    pub fn index_built(&self) {
        self.index_builds.inc();
    }

    pub fn set_runbooks_loaded(&self, n: usize) {
        self.runbooks_loaded
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// The OpenMetrics text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "encoding metrics failed");
        }
        out
    }
}

/// Counts one open SSE stream while alive.
pub struct ConnectionGuard(std::sync::Arc<Metrics>);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.connections_open.dec();
    }
}

pub struct SseGuard(std::sync::Arc<Metrics>);

impl Drop for SseGuard {
    fn drop(&mut self) {
        self.0.sse_subscribers.dec();
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
