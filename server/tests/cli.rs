//! The binary's command line. (Also makes `cargo test` build the binary that
//! the `tests/` crate's harness starts.)

use std::process::Command;

fn portal() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_runbook-portal"));
    command.env_clear();
    command
}

#[test]
fn help_lists_the_documented_flags() {
    let output = portal().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--config",
        "--listen",
        "--database",
        "--runbooks",
        "--rules",
        "--prometheus",
        "--alertmanager",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn config_prints_merged_configuration() {
    let output = portal()
        .args(["--listen", "127.0.0.1:4000", "config"])
        .env("RUNBOOK_PORTAL_DATABASE", "from-env.db")
        .env("RUNBOOK_PORTAL_AUTH__PROXY_HEADER", "X-Forwarded-User")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("listen = \"127.0.0.1:4000\""), "{text}");
    assert!(text.contains("database = \"from-env.db\""), "{text}");
    assert!(
        text.contains("proxy_header = \"X-Forwarded-User\""),
        "{text}"
    );
}

#[test]
fn bad_configuration_is_a_clear_error() {
    let output = portal()
        .args(["--prometheus", "not a url", "config"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("invalid configuration"), "{err}");

    let output = portal()
        .args(["--config", "/nonexistent/portal.toml", "config"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not exist"));
}
