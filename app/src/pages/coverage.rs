use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::get_coverage;
use portal_types::Coverage;

/// `/coverage`: alerts without runbooks (firing ones first) and runbooks
/// whose alert no rule defines.
#[component]
pub fn CoveragePage() -> impl IntoView {
    let coverage = Resource::new(|| (), |_| get_coverage());
    view! {
        <Title text="Coverage" />
        <h1>"Runbook coverage"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match coverage.await {
                    Ok(c) => view! { <CoverageView c /> }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CoverageView(c: Coverage) -> impl IntoView {
    let summary = format!(
        "{} of {} alerts have a runbook.",
        c.alerts_covered, c.alerts_total
    );
    let uncovered = c
        .uncovered
        .iter()
        .map(|a| {
            view! {
                <tr class="uncovered" data-alertname=a.alertname.clone() data-firing=a.firing.to_string()>
                    <td>
                        <strong>{a.alertname.clone()}</strong>
                        {a.firing.then(|| view! { " " <span class="badge firing" data-state="firing">"firing"</span> })}
                    </td>
                    <td>{a.severity.clone().unwrap_or_default()}</td>
                    <td>{a.defined_in.join(", ")}</td>
                    <td><a class="write-runbook" href=crate::links::new_runbook(&a.alertname)>"write one"</a></td>
                </tr>
            }
        })
        .collect_view();
    let orphans = c
        .orphans
        .iter()
        .map(|o| {
            view! {
                <li class="orphan" data-key=o.key.clone()>
                    <a href=crate::links::runbook(&o.key)>{o.key.clone()}</a>
                    {format!(" — no rule defines {}", o.alertname)}
                </li>
            }
        })
        .collect_view();
    view! {
        <p class="lead">{summary}</p>
        <h2>"Alerts without a runbook"</h2>
        <table class="coverage">
            <thead>
                <tr><th>"Alert"</th><th>"Severity"</th><th>"Defined in"</th><th></th></tr>
            </thead>
            <tbody>{uncovered}</tbody>
        </table>
        <h2>"Runbooks without an alert"</h2>
        <ul class="orphans">{orphans}</ul>
    }
}
