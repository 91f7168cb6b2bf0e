//! Start-up and shutdown: open the database, load runbooks, start pollers,
//! serve HTTP until SIGINT or SIGTERM, then end event streams and drain
//! in-flight requests within `http.shutdown_grace_secs`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use portal_core::Core;
use portal_core::alerts::AlertHub;
use portal_core::auth::Auth;
use portal_core::incidents::Timeline;
use portal_core::metrics::Metrics;
use portal_core::revisions::Revisions;
use portal_core::revisions::sync::RunbookSync;
use portal_core::runbooks::RunbookStore;
use portal_core::silences::SilenceWriter;
use portal_core::store::Topic;
use portal_core::tokens::Tokens;
use portal_core::use_cases::{Catalog, Checks, Editing, History, Incidents, Silences};

/// How often a portal on a database that sends no notifications (SQLite)
/// checks it for revisions saved elsewhere.
const REVISION_POLL: Duration = Duration::from_secs(2);

/// Build every engine and use case from the configuration.
pub async fn build_core(config: &Config) -> anyhow::Result<Core> {
    let store = portal_core::store::open(&config.database)
        .await
        .with_context(|| format!("opening database {}", config.database))?;
    let runbooks = RunbookStore::empty(config.runbooks.as_deref(), config.rules.as_deref())
        .context("loading runbooks")?;
    let metrics = Arc::new(Metrics::new());
    let runbooks = Arc::new(runbooks);
    // Pages serve the current revisions: import the directory, then build.
    let revisions = Arc::new(RunbookSync::new(
        runbooks.clone(),
        Revisions::new(store.revisions.clone()),
        metrics.clone(),
    ));
    revisions.import_files().await.context("loading runbooks")?;
    let alerts = AlertHub::start(
        portal_core::alerts::Upstreams {
            prometheus: &config.prometheus.0,
            alertmanager: &config.alertmanager.0,
        },
        config.poll_interval(),
        Duration::from_secs(config.sse_keepalive_secs.max(1)),
        Arc::new(runbooks.clone()),
        metrics.clone(),
        // Portals sharing the database elect one poller; alone, it polls.
        store
            .alert_snapshots()
            .map(|snapshots| portal_core::alerts::leader::Election {
                snapshots,
                wake: store.changes().follow(Topic::Alerts),
            }),
    );
    if config.prometheus.0.is_empty() {
        tracing::info!("no Prometheus configured: alert panels will say so");
    }
    let anonymous = config.anonymous_writes();
    if anonymous {
        tracing::warn!(
            "anonymous writes are allowed (auth.anonymous_writes, default on loopback): anyone who reaches the portal can write"
        );
    }
    let checks = portal_core::checks::CheckEngine::new(
        config.checks.clone(),
        store.checks.clone(),
        metrics.clone(),
    )
    .map_err(|e| anyhow::anyhow!("checks configuration: {e}"))?;
    let checks = Arc::new(checks);
    let webhook = Arc::new(config.webhook.clone());
    let timeline = Timeline::from_stores(&store);
    // Only the poller leader records and prunes (`history::spawn`).
    portal_core::history::spawn(
        &alerts,
        store.history.clone(),
        &config.history,
        metrics.clone(),
    );
    let check_cases = Checks::new(runbooks.clone(), alerts.clone(), checks, timeline.clone());
    Ok(Core {
        catalog: Catalog::new(runbooks.clone(), alerts.clone(), check_cases.clone()),
        silences: Silences::new(
            alerts.clone(),
            Arc::new(SilenceWriter::new(&config.alertmanager.0)),
            timeline.clone(),
            config.silences.clone(),
        ),
        history: History::new(
            store.history.clone(),
            store.incidents.clone(),
            timeline.clone(),
            config.history.clone(),
        ),
        incidents: Incidents::new(
            runbooks.clone(),
            timeline,
            metrics.clone(),
            webhook.clone(),
            store.history.clone(),
        ),
        checks: check_cases,
        editing: Editing::new(runbooks.clone(), revisions.clone(), alerts.clone()),
        runbooks,
        alerts,
        auth: Arc::new(
            Auth::new(config.auth.clone(), anonymous)
                .with_tokens(Tokens::new(store.tokens.clone())),
        ),
        webhook,
        metrics,
        store,
        revisions,
    })
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    let core = build_core(&config).await?;
    let watched: Vec<&std::path::Path> = [config.runbooks.as_deref(), config.rules.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    // A file change is imported as a revision, then the index is rebuilt.
    let import = core.revisions.spawn_import_worker();
    let _watch = portal_core::runbooks::watch::watch(&watched, move || {
        let _ = import.send(());
    })?;
    let _follow = core
        .revisions
        .spawn_follow(core.store.changes().follow(Topic::Revisions), REVISION_POLL);
    let (runbooks, rules) = core.runbooks.describe_sources();
    // One signal ends the accept loop and every event stream.
    let shutdown = CancellationToken::new();
    let router = crate::http::router(core.clone(), &config, shutdown.clone());
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, %runbooks, %rules, database = %config.database, "runbook portal listening on http://{address}");
    tokio::spawn({
        let alerts = core.alerts.clone();
        let shutdown = shutdown.clone();
        async move {
            shutdown_signal().await;
            alerts.close();
            shutdown.cancel();
        }
    });
    crate::http::listener::serve(
        listener,
        router,
        &config.http,
        core.metrics.clone(),
        shutdown,
    )
    .await?;
    core.store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
