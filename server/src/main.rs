//! `runbook-portal`: parse the command line and hand over to the library.

use clap::Parser;
use runbook_portal::cli::{Cli, Command};
use runbook_portal::config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let config = match config::load(cli.config.as_deref(), cli.overrides()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("runbook-portal: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    init_logging(&config.log);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => runbook_portal::serve::run(config).await,
        Command::Config => print_config(&config),
        Command::Token { command } => {
            runbook_portal::commands::token(&config.database, command).await
        }
        Command::Export { dir } => runbook_portal::commands::export(&config.database, &dir).await,
        Command::MigrateData { from, to } => {
            runbook_portal::commands::migrate_data(&from, &to).await
        }
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("runbook-portal: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn print_config(config: &config::Config) -> anyhow::Result<()> {
    print!("{}", toml_text(config)?);
    Ok(())
}

fn toml_text(config: &config::Config) -> anyhow::Result<String> {
    Ok(toml::to_string_pretty(config)?)
}

fn init_logging(log: &config::LogConfig) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&log.filter));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
