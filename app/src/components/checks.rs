//! Diagnosis checks on a runbook page: a card where each check stands in
//! the body, and a list beside the runbook with "Run all". Every Run is one
//! `run_check` call naming the check by id; the server does the rest.

use std::collections::HashMap;

use leptos::prelude::*;

use super::use_hydrated;
use crate::api::RunCheck;
use portal_types::Labels;
use portal_types::{CheckResult, CheckView};

/// The page's checks, each with its run action and last recorded result.
#[derive(Clone)]
pub struct CheckBoard {
    runbook_key: String,
    labels: Labels,
    checks: Vec<CheckView>,
    actions: HashMap<String, ServerAction<RunCheck>>,
    last: HashMap<String, CheckResult>,
    hydrated: ReadSignal<bool>,
}

impl CheckBoard {
    pub fn new(
        runbook_key: String,
        labels: Labels,
        checks: Vec<CheckView>,
        last: Vec<CheckResult>,
    ) -> CheckBoard {
        let actions = checks
            .iter()
            .map(|c| (c.id.clone(), ServerAction::<RunCheck>::new()))
            .collect();
        CheckBoard {
            runbook_key,
            labels,
            checks,
            actions,
            last: last.into_iter().map(|r| (r.check.clone(), r)).collect(),
            hydrated: use_hydrated(),
        }
    }

    fn run(&self, id: &str) {
        if let Some(action) = self.actions.get(id) {
            action.dispatch(RunCheck {
                runbook_key: self.runbook_key.clone(),
                check_id: id.to_string(),
                labels: self.labels.clone(),
            });
        }
    }

    fn run_all(&self) {
        for check in self.checks.iter().filter(|c| c.blocked.is_none()) {
            self.run(&check.id);
        }
    }

    /// The newest result: this page's last run, else the recorded one.
    fn result(&self, id: &str) -> Option<Result<CheckResult, String>> {
        let fresh = self
            .actions
            .get(id)
            .and_then(|a| a.value().get())
            .map(|r| r.map_err(|e| e.to_string()));
        fresh.or_else(|| self.last.get(id).cloned().map(Ok))
    }

    fn pending(&self, id: &str) -> bool {
        self.actions.get(id).is_some_and(|a| a.pending().get())
    }
}

/// A live card for the check `id`, where the runbook declares it.
#[component]
pub fn CheckCard(id: String) -> impl IntoView {
    let Some(board) = use_context::<CheckBoard>() else {
        return ().into_any();
    };
    let Some(check) = board.checks.iter().find(|c| c.id == id).cloned() else {
        return ().into_any();
    };
    let blocked = check.blocked.clone();
    let (run_board, state_board, result_board) = (board.clone(), board.clone(), board.clone());
    let run_id = id.clone();
    let state_id = id.clone();
    let hydrated = board.hydrated;
    let anchor = format!("check-{id}");
    let data_id = id.clone();
    view! {
        <div class="check-card" id=anchor data-check=data_id>
            <div class="check-head">
                <span class="check-kind">{check.kind.clone()}</span>
                " "
                <strong>{check.name.clone()}</strong>
                <button
                    class="run-check"
                    disabled={
                        let blocked = blocked.is_some();
                        let id = state_id.clone();
                        move || blocked || !hydrated.get() || state_board.pending(&id)
                    }
                    on:click=move |_| run_board.run(&run_id)
                >
                    "Run"
                </button>
            </div>
            {check.description.clone().map(|d| view! { <p class="check-description">{d}</p> })}
            <p class="check-target">
                <code>{check.target.clone()}</code>
                {check.expect.clone().map(|e| view! { " " <span class="muted">{format!("expect {e}")}</span> })}
            </p>
            {blocked.map(|why| view! { <p class="check-blocked">{format!("Cannot run: {why}")}</p> })}
            {move || {
                if result_board.pending(&id) {
                    return view! { <p class="check-running">"Running…"</p> }.into_any();
                }
                match result_board.result(&id) {
                    Some(Ok(result)) => view! { <CheckOutcome result /> }.into_any(),
                    Some(Err(error)) => view! { <p class="check-status check-error-status">{error}</p> }.into_any(),
                    None => view! { <p class="muted check-never">"Not run yet."</p> }.into_any(),
                }
            }}
        </div>
    }
    .into_any()
}

/// What one run found.
#[component]
fn CheckOutcome(result: CheckResult) -> impl IntoView {
    let status = result.status.as_str();
    let when = portal_types::format::timestamp(result.started_at);
    let recorded = result.incident_id.map(
        |id| view! { " · on " <a href=format!("/incidents/{id}")>{format!("incident #{id}")}</a> },
    );
    let series = (!result.series.is_empty()).then(|| {
        let more = result.more_series;
        view! {
            <table class="check-series">
                <tbody>
                    {result
                        .series
                        .iter()
                        .map(|s| {
                            let labels: Vec<String> = s.labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
                            view! {
                                <tr>
                                    <td><code>{format!("{{{}}}", labels.join(", "))}</code></td>
                                    <td class="num">{portal_types::format::sample(s.value)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            {(more > 0).then(|| view! { <p class="muted">{format!("… and {more} more series")}</p> })}
        }
    });
    view! {
        <div class=format!("check-result check-{status}") data-status=status>
            <p>
                <span class=format!("check-status check-status-{status}")>{status}</span>
                " "
                {result.message.clone()}
            </p>
            <p class="muted check-meta">
                {format!("{when} · {} ms · by {}", result.duration_ms, result.actor)}
                {recorded}
            </p>
            {series}
            {result.excerpt.clone().map(|e| view! { <pre class="check-excerpt">{e}</pre> })}
        </div>
    }
}

/// Beside the runbook: every check with its last status, "Run all", and
/// the cards of checks the body cannot hold (the implicit `alert-expr`,
/// checks nested in lists).
#[component]
pub fn ChecksPanel(placed: Vec<String>) -> impl IntoView {
    let Some(board) = use_context::<CheckBoard>() else {
        return ().into_any();
    };
    if board.checks.is_empty() {
        return ().into_any();
    }
    let runnable = board.checks.iter().any(|c| c.blocked.is_none());
    let hydrated = board.hydrated;
    let all_board = board.clone();
    let unplaced: Vec<String> = board
        .checks
        .iter()
        .filter(|c| !placed.contains(&c.id))
        .map(|c| c.id.clone())
        .collect();
    view! {
        <section class="checks-panel">
            <h2>"Checks"</h2>
            <button
                class="run-all-checks"
                disabled=move || !runnable || !hydrated.get()
                on:click=move |_| all_board.run_all()
            >
                "Run all checks"
            </button>
            <ul class="check-list">
                {board
                    .checks
                    .iter()
                    .map(|c| {
                        let id = c.id.clone();
                        let status_board = board.clone();
                        let status = Signal::derive(move || match status_board.result(&id) {
                            _ if status_board.pending(&id) => "running",
                            Some(Ok(r)) => r.status.as_str(),
                            Some(Err(_)) => "refused",
                            None => "not run",
                        });
                        let class = move || format!("check-dot check-dot-{}", status.get().replace(' ', "-"));
                        view! {
                            <li>
                                <a href=format!("#check-{}", c.id)>{c.name.clone()}</a>
                                " "
                                <span class=class>
                                    {status}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {unplaced.into_iter().map(|id| view! { <CheckCard id /> }).collect_view()}
        </section>
    }
    .into_any()
}
