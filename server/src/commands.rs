//! The command-line subcommands besides `serve`: each opens the configured
//! database and calls the core.

use std::path::Path;

use anyhow::Context;
use portal_core::revisions::Revisions;
use portal_core::store::transfer;
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

/// `runbook-portal migrate-data --from … --to …`: copy one database into an
/// empty one and print the rows copied per table.
pub async fn migrate_data(from: &str, to: &str) -> anyhow::Result<()> {
    let (from_shown, to_shown) = (without_password(from), without_password(to));
    let source = transfer::open_source(from)
        .await
        .with_context(|| format!("opening the source database {from_shown}"))?;
    let target = match portal_core::store::open(to).await {
        Ok(target) => target,
        Err(e) => {
            source.close().await;
            return Err(e).with_context(|| format!("opening the target database {to_shown}"));
        }
    };
    let copied = transfer::copy(&source, &target).await;
    source.close().await;
    target.close().await;
    let report = copied.with_context(|| format!("migrating {from_shown} to {to_shown}"))?;
    println!("migrated {from_shown} to {to_shown}:");
    for (table, rows) in &report.tables {
        println!("  {:<20} {rows} rows", table.name());
    }
    Ok(())
}

/// A database URL fit to print: `postgres://user:secret@host/db` becomes
/// `postgres://user:***@host/db`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    match authority.rsplit_once('@') {
        Some((userinfo, _)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***{}", &rest[userinfo.len()..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_printed() {
        use super::without_password as shown;
        assert_eq!(
            shown("postgres://portal:s3cret@db:5432/portal"),
            "postgres://portal:***@db:5432/portal"
        );
        assert_eq!(
            shown("postgres://portal@db/portal"),
            "postgres://portal@db/portal"
        );
        assert_eq!(shown("sqlite://old.db"), "sqlite://old.db");
        assert_eq!(shown("/var/lib/portal.db"), "/var/lib/portal.db");
    }
}
