//! Command-line interface.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::FlagOverrides;

#[derive(Debug, Parser)]
#[command(
    name = "runbook-portal",
    version,
    about = "Runbooks with live alert state and incident timelines"
)]
pub struct Cli {
    /// TOML configuration file.
    #[arg(long, env = "RUNBOOK_PORTAL_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:3000].
    #[arg(long, global = true)]
    pub listen: Option<SocketAddr>,
    /// The URL people reach the portal at (its host is an allowed Host).
    #[arg(long, global = true)]
    pub public_url: Option<String>,
    /// Database: a SQLite file path or sqlite:// URL, or postgres://user@host:port/db [default: runbook-portal.db].
    #[arg(long, global = true)]
    pub database: Option<String>,
    /// Runbook directory [default: the embedded examples].
    #[arg(long, global = true)]
    pub runbooks: Option<PathBuf>,
    /// Rule file directory [default: the embedded example rules].
    #[arg(long, global = true)]
    pub rules: Option<PathBuf>,
    /// Prometheus base URL; repeat for several servers.
    #[arg(long, global = true)]
    pub prometheus: Vec<String>,
    /// Alertmanager base URL; repeat for several.
    #[arg(long, global = true)]
    pub alertmanager: Vec<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the portal (the default).
    Serve,
    /// Print the effective configuration as TOML and exit.
    Config,
    /// Manage API tokens (`Authorization: Bearer …`).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Write every runbook's current revision to DIR as `<group>/<Alert>.md`.
    Export {
        /// Target directory (created if missing); files are replaced atomically.
        dir: PathBuf,
    },
    /// Copy every incident, event, revision, check run and token, with their
    /// ids and times, from one database into another, empty one (e.g. from
    /// SQLite to PostgreSQL); all or nothing. Stop the portals first.
    MigrateData {
        /// The database to copy from (a SQLite file path or URL, or postgres://…); read only.
        #[arg(long)]
        from: String,
        /// The empty database to copy into; its schema is created if missing.
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; its secret is printed once on stdout.
    Create {
        /// The actor recorded for the token's writes.
        name: String,
    },
    /// List tokens (names and dates, never secrets).
    List,
    /// Revoke the live token with this name.
    Revoke { name: String },
}

impl Cli {
    pub fn overrides(&self) -> FlagOverrides {
        FlagOverrides {
            listen: self.listen,
            public_url: self.public_url.clone(),
            database: self.database.clone(),
            runbooks: self.runbooks.clone(),
            rules: self.rules.clone(),
            prometheus: self.prometheus.clone(),
            alertmanager: self.alertmanager.clone(),
        }
    }
}
