//! The runbook page's History panel: how often and how long the alert
//! fired (from the history the portal records, see the core's `history`),
//! where, whether it flaps, and what responders did last time. Drawn on the
//! server with the page; every text goes through Leptos' escaping, and the
//! 30-day strip is SVG elements, not markup made from data.

use leptos::prelude::*;

use portal_types::format::{duration, timestamp};

/// Seconds from the API as the app spells a length of time.
fn span(secs: f64) -> String {
    duration(secs.round() as i64)
}
use portal_types::{AlertHistory, DayCount, LastTime, PastIncident};

/// `history` as the server read it with the page.
#[component]
pub fn AlertHistoryPanel(history: Result<AlertHistory, String>) -> impl IntoView {
    let body = match history {
        Ok(history) => view! { <HistoryBody history /> }.into_any(),
        Err(e) => view! { <p class="error">{format!("History unavailable: {e}")}</p> }.into_any(),
    };
    view! {
        <section class="alert-history" id="alert-history" aria-labelledby="alert-history-title">
            <h2 id="alert-history-title">"History"</h2>
            {body}
        </section>
    }
}

#[component]
fn HistoryBody(history: AlertHistory) -> impl IntoView {
    let fired = history.fired.clone();
    let flapping = history.flapping.then(|| {
        view! {
            <p class="flapping-banner" role="status">
                {format!(
                    "Flapping: fired {} times in the last 24 hours (more than {}).",
                    fired.last_24h, history.flapping_threshold
                )}
            </p>
        }
    });
    let last_fired = match &history.last_fired {
        Some(last) => {
            let how_long = match last.duration_secs {
                Some(secs) => format!("for {}", span(secs)),
                None => "still firing".to_string(),
            };
            view! {
                <span class="last-fired">
                    <time datetime=last.at.to_rfc3339()>{timestamp(last.at)}</time>
                    {format!(" on {}, {how_long}", last.instance)}
                </span>
            }
            .into_any()
        }
        None => view! { <span class="last-fired">"never recorded"</span> }.into_any(),
    };
    let durations = &history.durations;
    let typical = match (durations.p50_secs, durations.p90_secs) {
        (Some(p50), Some(p90)) => format!(
            "p50 {} · p90 {} ({} resolved)",
            span(p50),
            span(p90),
            durations.resolved
        ),
        _ => "no resolved firing in the window".to_string(),
    };
    let instances = (!history.top_instances.is_empty()).then(|| {
        view! {
            <h3>"Fires most on"</h3>
            <ol class="top-instances">
                {history
                    .top_instances
                    .iter()
                    .map(|i| view! {
                        <li><code>{i.instance.clone()}</code>{format!(" — {} times", i.firings)}</li>
                    })
                    .collect_view()}
            </ol>
        }
    });
    let alertname = history.alertname.clone();
    view! {
        {flapping}
        <dl class="history-facts">
            <dt>"Fired"</dt>
            <dd class="fired-counts">
                {format!(
                    "{} times in 7 days · {} in 30 days · {} in 90 days",
                    fired.last_7d, fired.last_30d, fired.last_90d
                )}
            </dd>
            <dt>"Last fired"</dt>
            <dd>{last_fired}</dd>
            <dt>"Duration"</dt>
            <dd class="durations">{typical}</dd>
        </dl>
        <Strip days=history.per_day.clone() />
        {instances}
        <LastTimeBox last=history.last_time.clone() alertname=alertname.clone() />
        <PastIncidents past=history.past_incidents.clone() total=history.past_incidents_total alertname />
    }
}

/// Width and height of one day's column in the strip, in SVG units.
const DAY_W: usize = 10;
const STRIP_H: usize = 30;

/// Firings per day as bars, scaled to the busiest day; each bar's title
/// names its day and count (the strip is also described in text). A window
/// without a firing is one line of text: no empty chart, and no SVG on the
/// pages of alerts that never fired.
#[component]
fn Strip(days: Vec<DayCount>) -> impl IntoView {
    let most = days.iter().map(|d| d.firings).max().unwrap_or(0).max(1);
    let total: u64 = days.iter().map(|d| d.firings).sum();
    if total == 0 {
        let text = format!("No firing in the last {} days.", days.len());
        return view! { <p class="history-strip muted">{text}</p> }.into_any();
    }
    let width = (days.len() * DAY_W).max(DAY_W);
    let label = format!(
        "Firings per day over the last {} days: {total} in all",
        days.len()
    );
    let bars = days
        .into_iter()
        .enumerate()
        .map(|(i, day)| {
            let height = if day.firings == 0 {
                1
            } else {
                ((day.firings as f64 / most as f64) * STRIP_H as f64)
                    .ceil()
                    .max(3.0) as usize
            };
            let class = if day.firings == 0 {
                "day none"
            } else {
                "day fired"
            };
            view! {
                <rect
                    class=class
                    x=(i * DAY_W + 1).to_string()
                    y=(STRIP_H - height).to_string()
                    width=(DAY_W - 2).to_string()
                    height=height.to_string()
                    data-day=day.day.to_string()
                    data-firings=day.firings.to_string()
                >
                    <title>{format!("{}: {} firings", day.day, day.firings)}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <figure class="history-strip">
            <svg
                viewBox=format!("0 0 {width} {STRIP_H}")
                preserveAspectRatio="none"
                role="img"
                aria-label=label.clone()
            >
                {bars}
            </svg>
            <figcaption class="muted">{label}</figcaption>
        </figure>
    }
    .into_any()
}

fn mtta_mttr(incident: &PastIncident) -> String {
    let part = |name: &str, secs: Option<f64>| match secs {
        Some(secs) => format!("{name} {}", span(secs)),
        None => format!("{name} —"),
    };
    format!(
        "{} · {}",
        part("MTTA", incident.mtta_secs),
        part("MTTR", incident.mttr_secs)
    )
}

/// What was done the last time: the newest resolved incident.
#[component]
fn LastTimeBox(last: Option<LastTime>, alertname: String) -> impl IntoView {
    let Some(last) = last else {
        return view! {
            <div class="last-time empty">
                <h3>"Last time"</h3>
                <p class="muted">"No resolved incident of this alert yet."</p>
            </div>
        }
        .into_any();
    };
    let incident = &last.incident;
    let resolved = match (&incident.resolved_at, &incident.resolved_by) {
        (Some(at), by) => {
            let by = by.clone().unwrap_or_else(|| "someone".into());
            view! {
                <p class="resolved-by">
                    {format!("Resolved by {by} at ")}
                    <time datetime=at.to_rfc3339()>{timestamp(*at)}</time>
                </p>
            }
            .into_any()
        }
        (None, _) => view! { <p class="resolved-by">"Not resolved"</p> }.into_any(),
    };
    let reason = last
        .resolve_reason
        .clone()
        .map(|r| view! { <p class="resolve-reason">{format!("Reason: {r}")}</p> });
    let notes = (!last.notes.is_empty()).then(|| {
        view! {
            <ul class="last-notes">
                {last
                    .notes
                    .iter()
                    .map(|n| {
                        let text = match n.html.clone() {
                            Some(html) => view! { <div class="note-body" inner_html=html></div> }.into_any(),
                            None => n.text.clone().into_any(),
                        };
                        view! { <li><span class="muted">{format!("{}: ", n.actor)}</span>{text}</li> }
                    })
                    .collect_view()}
            </ul>
        }
    });
    let steps = (!last.steps_done.is_empty()).then(|| {
        view! {
            <h4>"Steps done"</h4>
            <ul class="last-steps">
                {last.steps_done.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}
            </ul>
        }
    });
    view! {
        <div class="last-time">
            <h3>"Last time"</h3>
            <p>
                <a href=format!("/incidents/{}", incident.id)>{format!("#{} {}", incident.id, incident.title)}</a>
                " "
                <span class="muted mtta-mttr">{mtta_mttr(incident)}</span>
            </p>
            {resolved}
            {reason}
            {notes}
            {steps}
            <p><a class="past-incidents-link" href=crate::links::resolved_incidents_of_alert(&alertname)>"All past incidents of this alert"</a></p>
        </div>
    }
    .into_any()
}

#[component]
fn PastIncidents(past: Vec<PastIncident>, total: i64, alertname: String) -> impl IntoView {
    (past.len() > 1).then(|| {
        let more = (total > past.len() as i64).then(|| {
            view! {
                <p><a href=crate::links::resolved_incidents_of_alert(&alertname)>{format!("All {total} resolved incidents")}</a></p>
            }
        });
        view! {
            <details class="past-incidents">
                <summary>{format!("Past incidents ({total})")}</summary>
                <table>
                    <thead><tr><th>"Incident"</th><th>"Opened"</th><th>"MTTA"</th><th>"MTTR"</th></tr></thead>
                    <tbody>
                        {past
                            .iter()
                            .map(|i| view! {
                                <tr>
                                    <td><a href=format!("/incidents/{}", i.id)>{format!("#{} {}", i.id, i.title)}</a></td>
                                    <td><time datetime=i.opened_at.to_rfc3339()>{timestamp(i.opened_at)}</time></td>
                                    <td class="num">{i.mtta_secs.map(span).unwrap_or_else(|| "—".into())}</td>
                                    <td class="num">{i.mttr_secs.map(span).unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
                {more}
            </details>
        }
    })
}
