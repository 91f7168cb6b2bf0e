//! Diagnosis checks: the runbook declares them (```` ```check ```` blocks),
//! the server runs them — never anything the browser sends — within a
//! timeout, concurrency limits and the operator's allow-list, and records
//! each result.

pub mod allow;
pub mod expect;
pub mod net;
pub mod promql;
pub mod run_promql;
pub mod spec;
pub mod store;
pub mod template;
pub mod views;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use portal_types::Labels;
use portal_types::{CheckResult, CheckStatus, SeriesValue};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::alerts::prometheus::PrometheusClient;
use crate::config::ChecksConfig;
use crate::error::Error;
use crate::metrics::Metrics;
pub use spec::{CheckKind, CheckSpec};
pub use store::CheckStore;

/// Why a check was not run. Each is a 4xx with the reason, and counted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("the label {0:?} is needed by this check but was not given")]
    MissingLabel(String),
    #[error("{0}")]
    Unsafe(String),
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0}")]
    Busy(String),
}

/// A check block that cannot be used, and why; shown in the runbook where
/// the block stands.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct SpecError(pub String);

impl From<String> for SpecError {
    fn from(message: String) -> Self {
        SpecError(message)
    }
}

impl From<crate::placeholders::SyntaxError> for SpecError {
    fn from(error: crate::placeholders::SyntaxError) -> Self {
        SpecError(error.to_string())
    }
}

impl From<&str> for SpecError {
    fn from(message: &str) -> Self {
        SpecError(message.to_string())
    }
}

/// A `[checks]` configuration the engine cannot start with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SetupError {
    #[error("checks.allow: {0}")]
    AllowList(String),
    #[error("the HTTP client for checks: {0}")]
    HttpClient(String),
    #[error("the DNS resolver for checks: {0}")]
    Resolver(String),
}

/// A check's target with `labels` filled, each value encoded or checked for
/// where it stands (the card's "can it run" and the run itself agree).
pub fn fill_target(kind: &CheckKind, labels: &Labels) -> Result<String, Refusal> {
    match kind {
        CheckKind::Promql { query, .. } => promql::fill(query, labels),
        CheckKind::Http(http) => template::fill_url(&http.url, labels),
        CheckKind::Tcp { address } => template::fill_address(address, labels),
        CheckKind::Dns(dns) => template::fill_dns_name(&dns.name, labels),
    }
}

impl Refusal {
    /// Metric label.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::MissingLabel(_) => "missing_label",
            Refusal::Unsafe(_) => "unsafe_value",
            Refusal::NotAllowed(_) => "not_allowed",
            Refusal::Busy(_) => "busy",
        }
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::MissingLabel(_) | Refusal::Unsafe(_) => Error::BadRequest(refusal.to_string()),
            Refusal::NotAllowed(_) => Error::Forbidden(refusal.to_string()),
            Refusal::Busy(_) => Error::TooManyRequests(refusal.to_string()),
        }
    }
}

/// What running a check found, before it is stamped with who and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: CheckStatus,
    pub message: String,
    pub value: Option<String>,
    pub excerpt: Option<String>,
    pub series: Vec<SeriesValue>,
    pub more_series: usize,
}

impl Outcome {
    pub fn new(status: CheckStatus, message: String) -> Outcome {
        Outcome {
            status,
            message,
            value: None,
            excerpt: None,
            series: Vec::new(),
            more_series: 0,
        }
    }

    pub fn error(message: String) -> Outcome {
        Outcome::new(CheckStatus::Error, message)
    }
}

/// The first `max` bytes of `text`, cut at a character boundary.
pub fn excerpt(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

/// One run: the check, the labels it is filled from, who asks.
pub struct Run<'a> {
    pub check: &'a CheckSpec,
    pub labels: &'a Labels,
    pub actor: &'a str,
    /// Prometheus servers by name, the first being the default.
    pub prometheus: &'a [(String, PrometheusClient)],
}

pub struct CheckEngine {
    config: ChecksConfig,
    allow: Arc<allow::AllowList>,
    http: reqwest::Client,
    resolver: Result<hickory_resolver::TokioResolver, SetupError>,
    global: Arc<Semaphore>,
    per_user: Mutex<HashMap<String, Arc<Semaphore>>>,
    pub store: CheckStore,
    metrics: Arc<Metrics>,
}

impl CheckEngine {
    pub fn new(
        config: ChecksConfig,
        runs: Arc<dyn crate::store::CheckRunStore>,
        metrics: Arc<Metrics>,
    ) -> Result<CheckEngine, SetupError> {
        let allow = Arc::new(allow::AllowList::new(&config.allow)?);
        let http = net::http_client(allow.clone())?;
        let resolver = net::resolver(
            config.dns_server,
            Duration::from_secs(config.max_timeout_secs),
        );
        if let Err(e) = &resolver {
            tracing::warn!(error = %e, "dns checks will fail: no resolver");
        }
        if allow.is_empty() {
            tracing::info!("{}", allow::EMPTY);
        }
        Ok(CheckEngine {
            global: Arc::new(Semaphore::new(config.max_concurrent)),
            per_user: Mutex::new(HashMap::new()),
            allow,
            http,
            resolver,
            config,
            store: CheckStore::new(runs),
            metrics,
        })
    }

    pub fn allow_list(&self) -> &allow::AllowList {
        &self.allow
    }

    /// Run one check now, within the limits. A refusal is counted and
    /// returned; anything that went wrong while running is an `error` result.
    pub async fn run(&self, run: Run<'_>) -> Result<CheckResult, Refusal> {
        let kind = kind_name(run.check);
        let result = self.run_counted(&run, kind).await;
        if let Err(refusal) = &result {
            self.metrics.check_refused(refusal.reason());
            tracing::info!(check = %run.check.id, actor = %run.actor, %refusal, "check refused");
        }
        result
    }

    async fn run_counted(&self, run: &Run<'_>, kind: &'static str) -> Result<CheckResult, Refusal> {
        let timeout = Duration::from_secs(
            run.check
                .timeout_secs
                .unwrap_or(self.config.timeout_secs)
                .min(self.config.max_timeout_secs),
        );
        let target = self.prepare(run)?;
        let _permits = self.permits(run.actor).await?;
        let started_at = Utc::now();
        let started = Instant::now();
        let outcome = match tokio::time::timeout(timeout, self.execute(run, &target)).await {
            Ok(outcome) => outcome?,
            Err(_) => Outcome::error(format!("timed out after {} s", timeout.as_secs())),
        };
        let elapsed = started.elapsed();
        self.metrics
            .check_ran(kind, outcome.status.as_str(), elapsed);
        Ok(CheckResult {
            check: run.check.id.clone(),
            kind: kind.to_string(),
            status: outcome.status,
            message: outcome.message,
            value: outcome.value,
            target,
            started_at,
            duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            excerpt: outcome.excerpt,
            series: outcome.series,
            more_series: outcome.more_series,
            actor: run.actor.to_string(),
            labels: run.labels.clone(),
            incident_id: None,
        })
    }

    /// The filled query, URL, address or name; refusals happen here, before
    /// anything is sent anywhere.
    fn prepare(&self, run: &Run<'_>) -> Result<String, Refusal> {
        fill_target(&run.check.kind, run.labels)
    }

    async fn execute(&self, run: &Run<'_>, target: &str) -> Result<Outcome, Refusal> {
        let excerpt_bytes = self.config.excerpt_bytes;
        match &run.check.kind {
            CheckKind::Promql {
                expect, prometheus, ..
            } => Ok(run_promql::run(target, expect, prometheus.as_deref(), run.prometheus).await),
            CheckKind::Http(spec) => {
                net::http(spec, target, &self.allow, &self.http, excerpt_bytes).await
            }
            CheckKind::Tcp { .. } => net::tcp(target, &self.allow).await,
            CheckKind::Dns(spec) => match &self.resolver {
                Ok(resolver) => net::dns(spec, target, &self.allow, resolver).await,
                Err(e) => Ok(Outcome::error(e.to_string())),
            },
        }
    }

    /// A turn for this actor, then a global one. Waiting longer than the
    /// longest check timeout means the portal is saturated: refuse.
    async fn permits(
        &self,
        actor: &str,
    ) -> Result<(OwnedSemaphorePermit, OwnedSemaphorePermit), Refusal> {
        let user = {
            let mut map = self
                .per_user
                .lock()
                .map_err(|_| Refusal::Busy("check limiter unavailable".into()))?;
            map.entry(actor.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(self.config.max_concurrent_per_user)))
                .clone()
        };
        let wait = Duration::from_secs(self.config.max_timeout_secs);
        let busy = |what: &str| {
            Refusal::Busy(format!("too many checks running {what}; try again shortly"))
        };
        let user = tokio::time::timeout(wait, user.acquire_owned())
            .await
            .map_err(|_| busy("for you"))?
            .map_err(|_| busy("for you"))?;
        let global = tokio::time::timeout(wait, self.global.clone().acquire_owned())
            .await
            .map_err(|_| busy("on this portal"))?
            .map_err(|_| busy("on this portal"))?;
        Ok((user, global))
    }
}

fn kind_name(check: &CheckSpec) -> &'static str {
    if check.id == portal_types::ALERT_EXPR {
        "alert-expr"
    } else {
        check.kind.name()
    }
}
