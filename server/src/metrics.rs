//! Prometheus metrics of the portal itself, served at `/metrics`.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    route: String,
    status: u16,
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

pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<HttpLabels, Histogram>,
    polls: Family<PollLabels, Counter>,
    poll_duration: Family<UpstreamLabels, Histogram>,
    incidents_opened: Counter,
    runbooks_loaded: Gauge,
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
        Metrics {
            registry,
            http_requests,
            http_duration,
            polls,
            poll_duration,
            incidents_opened,
            runbooks_loaded,
        }
    }

    pub fn record_http(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let labels = HttpLabels {
            method: method.to_string(),
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

    pub fn incident_opened(&self) {
        self.incidents_opened.inc();
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

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
