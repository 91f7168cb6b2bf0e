//! The command-line subcommands besides `serve`: each opens the configured
//! database and calls the core.

use std::path::Path;

use anyhow::Context;
use portal_core::revisions::Revisions;
use portal_core::tokens::Tokens;

use crate::cli::TokenCommand;

/// `runbook-portal token …`: run against the configured database.
pub async fn token(database: &str, command: TokenCommand) -> anyhow::Result<()> {
    let store = portal_core::store::open(database).await?;
    let tokens = Tokens::new(store.tokens.clone());
    match command {
        TokenCommand::Create { name } => {
            let secret = tokens.create(&name).await?;
            eprintln!("Token {name} created. It is shown once; store it now:");
            println!("{secret}");
        }
        TokenCommand::List => {
            for t in tokens.list().await? {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", at.to_rfc3339()),
                    None => "live".to_string(),
                };
                println!("{}\tcreated {}\t{state}", t.name, t.created_at.to_rfc3339());
            }
        }
        TokenCommand::Revoke { name } => {
            tokens.revoke(&name).await?;
            eprintln!("Token {name} revoked.");
        }
    }
    store.close().await;
    Ok(())
}

pub async fn export(database: &str, dir: &Path) -> anyhow::Result<()> {
    let store = portal_core::store::open(database)
        .await
        .with_context(|| format!("opening database {database}"))?;
    let revisions = Revisions::new(store.revisions.clone());
    let report = portal_core::revisions::export::export(&revisions, dir).await?;
    store.close().await;
    println!(
        "exported {} runbook files to {} ({} written, {} already up to date)",
        report.written + report.unchanged,
        dir.display(),
        report.written,
        report.unchanged
    );
    Ok(())
}
