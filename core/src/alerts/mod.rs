//! Live alert state: one poller per configured Prometheus and Alertmanager
//! keeps its slot up to date; after every poll a new immutable snapshot is
//! built from all slots and published through a `watch` channel (latest value
//! wins, so a slow reader never holds up the pollers or other readers). Pages,
//! the JSON API and SSE subscribers read the snapshot, so upstream load does
//! not grow with the number of viewers. With several portals on one
//! database, only the elected leader polls and publishes its slots; the
//! others install what it published (`leader`), so upstream load does not
//! grow with the number of replicas either.

pub mod alertmanager;
pub mod coverage;
pub mod graph;
pub mod graph_svg;
pub mod join;
pub mod leader;
pub mod poller;
pub mod prometheus;
mod slots;
pub mod snapshot;
pub mod upstream_http;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use portal_types::AlertBadge;
use portal_types::{UpstreamHealth, UpstreamKind};
use tokio::sync::watch;

use crate::config::Upstream;
use crate::metrics::Metrics;
pub use join::RunbookLookup;
use poller::Source;
use prometheus::PrometheusClient;
pub use snapshot::AlertSnapshot;
use snapshot::{Slot, SlotData};
use upstream_http::UpstreamError;

pub struct AlertHub {
    slots: Mutex<Vec<Slot>>,
    tx: watch::Sender<Arc<AlertSnapshot>>,
    runbooks: Arc<dyn RunbookLookup>,
    /// Distinguishes this process' event ids from an earlier one's.
    boot: String,
    /// Clients for queries made on behalf of pages (graphs), by upstream name.
    prometheus: Vec<(String, PrometheusClient)>,
    interval: Duration,
    keepalive: Duration,
    /// Set at shutdown: streams end so graceful shutdown can finish.
    closed: watch::Sender<bool>,
    /// Whether this portal polls the upstreams now (the pollers wait while
    /// it is false); always true without an election.
    leading: watch::Sender<bool>,
}

/// The configured upstreams of both kinds.
pub struct Upstreams<'a> {
    pub prometheus: &'a [Upstream],
    pub alertmanager: &'a [Upstream],
}

impl AlertHub {
    /// Create the hub and start one poller per upstream; with an
    /// `election` (portals sharing a database) they poll only while this
    /// portal leads.
    pub fn start(
        upstreams: Upstreams<'_>,
        interval: Duration,
        keepalive: Duration,
        runbooks: Arc<dyn RunbookLookup>,
        metrics: Arc<Metrics>,
        election: Option<leader::Election>,
    ) -> Arc<AlertHub> {
        let kinds = upstreams
            .prometheus
            .iter()
            .map(|u| (UpstreamKind::Prometheus, u))
            .chain(
                upstreams
                    .alertmanager
                    .iter()
                    .map(|u| (UpstreamKind::Alertmanager, u)),
            );
        let mut slots = Vec::new();
        let mut sources = Vec::new();
        let mut prometheus = Vec::new();
        for (kind, upstream) in kinds {
            let name = upstream.display_name().to_string();
            let source = match kind {
                UpstreamKind::Prometheus => PrometheusClient::new(upstream).map(|c| {
                    prometheus.push((name.clone(), c.clone()));
                    Source::Prometheus(c)
                }),
                UpstreamKind::Alertmanager => {
                    alertmanager::AlertmanagerClient::new(upstream).map(Source::Alertmanager)
                }
            };
            let empty = match kind {
                UpstreamKind::Prometheus => SlotData::Prometheus {
                    alerts: Vec::new(),
                    rules: Vec::new(),
                },
                UpstreamKind::Alertmanager => SlotData::Alertmanager {
                    alerts: Vec::new(),
                    silences: Vec::new(),
                },
            };
            let error = source
                .as_ref()
                .err()
                .map(|e| format!("bad upstream configuration: {e}"));
            slots.push(Slot {
                health: UpstreamHealth {
                    name: name.clone(),
                    kind,
                    url: redact(&upstream.url),
                    last_success: None,
                    stale_since: error.as_ref().map(|_| Utc::now()),
                    last_error: error,
                },
                data: empty,
            });
            sources.push(source.ok().map(|s| (name, s)));
        }
        let boot = format!("{:x}", Utc::now().timestamp_millis());
        let (tx, _) = watch::channel(Arc::new(AlertSnapshot::default()));
        let hub = Arc::new(AlertHub {
            slots: Mutex::new(slots),
            tx,
            runbooks,
            boot,
            prometheus,
            interval,
            keepalive,
            closed: watch::channel(false).0,
            leading: watch::channel(election.is_none()).0,
        });
        metrics.set_alerts_leader(election.is_none());
        hub.publish();
        if let Some(election) = election {
            tokio::spawn(leader::run(
                Arc::downgrade(&hub),
                election,
                interval,
                metrics.clone(),
            ));
        }
        for (i, source) in sources.into_iter().enumerate() {
            if let Some((name, source)) = source {
                tokio::spawn(poller::run(
                    Arc::downgrade(&hub),
                    i,
                    name,
                    source,
                    interval,
                    metrics.clone(),
                ));
            }
        }
        hub
    }

    pub fn snapshot(&self) -> Arc<AlertSnapshot> {
        self.tx.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<Arc<AlertSnapshot>> {
        self.tx.subscribe()
    }

    /// Whether this portal is the poller leader, as it changes (the
    /// history recorder records only while it leads).
    pub fn leading(&self) -> watch::Receiver<bool> {
        self.leading.subscribe()
    }

    /// Resolves once [`close`](Self::close) was called.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.closed.subscribe();
        async move {
            let _ = rx.wait_for(|closed| *closed).await;
        }
    }

    /// End every SSE stream (at shutdown; open streams would otherwise keep
    /// graceful shutdown waiting forever).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    pub fn poll_interval(&self) -> Duration {
        self.interval
    }

    /// Time between SSE keep-alive comments.
    pub fn keepalive(&self) -> Duration {
        self.keepalive
    }

    /// The Prometheus clients, by upstream name, for page queries.
    pub fn prometheus_clients(&self) -> &[(String, PrometheusClient)] {
        &self.prometheus
    }

    /// The badge for one alert name, from the current snapshot.
    pub fn badge(&self, alertname: &str) -> AlertBadge {
        let snapshot = self.snapshot();
        let group = snapshot.group(alertname);
        let count = |state: &str| group.instances.iter().filter(|a| a.state == state).count();
        AlertBadge {
            alertname: alertname.to_string(),
            state: group.state,
            firing: count("firing"),
            pending: count("pending"),
            updated_at: snapshot
                .upstreams
                .iter()
                .filter_map(|u| u.last_success)
                .max(),
        }
    }

    /// Store one poll's outcome in slot `i` and publish a new snapshot. On
    /// failure the slot keeps its last good data and is marked stale.
    fn record(&self, i: usize, outcome: Result<SlotData, UpstreamError>) {
        let now = Utc::now();
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let Some(slot) = slots.get_mut(i) else { return };
        match outcome {
            Ok(data) => {
                slot.health.last_success = Some(now);
                slot.health.last_error = None;
                slot.health.stale_since = None;
                slot.data = data;
            }
            Err(error) => {
                slot.health.last_error = Some(error.to_string());
                slot.health.stale_since.get_or_insert(now);
            }
        }
        self.publish_locked(&slots);
    }

    fn publish(&self) {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        self.publish_locked(&slots);
    }

    /// Build and swap in the next snapshot. Runs under the slots lock so
    /// versions are published in order.
    fn publish_locked(&self, slots: &[Slot]) {
        let previous = self.snapshot();
        let next = snapshot::build(slots, self.runbooks.as_ref(), &previous, &self.boot);
        self.tx.send_replace(Arc::new(next));
    }

    /// The graph of an alert's expression: the live rule's query when a
    /// Prometheus has the rule, else `fallback` (the runbook's rule); queried
    /// on the Prometheus that has the rule, else the first healthy one.
    pub async fn graph(
        &self,
        alertname: &str,
        fallback: Option<String>,
        hours: u32,
    ) -> portal_types::GraphView {
        let snapshot = self.snapshot();
        let group = snapshot.group(alertname);
        let live = group.rules.first();
        let expr = live.map(|r| r.query.clone()).or(fallback);
        let healthy = |name: &str| {
            snapshot
                .upstreams
                .iter()
                .any(|u| u.name == name && u.healthy())
        };
        let client = live
            .and_then(|r| self.prometheus.iter().find(|(n, _)| *n == r.upstream))
            .filter(|(n, _)| healthy(n.as_str()))
            .or_else(|| self.prometheus.iter().find(|(n, _)| healthy(n.as_str())))
            .or_else(|| self.prometheus.first());
        let mut view = portal_types::GraphView {
            alertname: alertname.to_string(),
            hours,
            expr: expr.clone(),
            plotted: None,
            threshold: None,
            svg: None,
            legend: Vec::new(),
            total_series: 0,
            upstream: client.map(|(n, _)| n.clone()),
            error: None,
        };
        let (Some(expr), Some((_, client))) = (expr, client) else {
            view.error = Some(if self.prometheus.is_empty() {
                "No Prometheus is configured.".into()
            } else {
                "The alert's expression is not known.".into()
            });
            return view;
        };
        match graph::fetch(client, alertname, &expr, hours).await {
            Ok(data) => {
                view.plotted = Some(data.plan.plotted.clone());
                view.threshold = data
                    .plan
                    .threshold
                    .as_ref()
                    .map(|(op, v)| format!("{op} {v}"));
                view.legend = data
                    .series
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        (
                            graph_svg::PALETTE[i % graph_svg::PALETTE.len()].to_string(),
                            graph_svg::series_label(s),
                        )
                    })
                    .collect();
                view.total_series = data.total_series;
                view.svg = Some(graph_svg::render(&data));
            }
            Err(e) => view.error = Some(e.to_string()),
        }
        view
    }

    /// Parse an SSE `Last-Event-ID` of this process; `None` for another
    /// process' id or garbage.
    pub fn version_of(&self, event_id: &str) -> Option<u64> {
        let (boot, version) = event_id.trim().rsplit_once('-')?;
        if boot != self.boot {
            return None;
        }
        version.parse().ok()
    }
}

/// A URL without its credentials, for pages and the API.
fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod leader_tests;
#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod snapshot_tests;
