//! The live alert panel of a runbook page: state badge, stale banner,
//! instances (filtered to the page's labels, with "show all"), silences and
//! the live rule. Rendered on the server from the snapshot, then kept current
//! by the SSE stream. "Silence" on an instance or the whole alert opens the
//! silence form; each active silence has an Expire button.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::live_rule::LiveRuleBox;
use super::live_stream::{When, follow_stream, stream_url, use_now};
use super::silence_form::SilenceForm;
use super::use_hydrated;
use crate::api::expire_silence;
use portal_types::{AlertGroup, AlertInstance, LiveState, SilenceView, UpstreamHealth};
use portal_types::{Labels, Matcher};

/// `state` is the snapshot the server read with the page; the stream keeps
/// it current from there. `incident` (the runbook's open one) prefills the
/// silence form.
#[component]
pub fn AlertPanel(
    alertname: String,
    state: LiveState,
    labels: Labels,
    incident: Option<i64>,
) -> impl IntoView {
    let url = stream_url(Some(&alertname));
    view! { <LivePanel alertname state url labels incident /> }
}

/// The silence form's state and the silences made or expired from this page
/// that the stream does not show yet.
#[derive(Clone, Copy)]
struct SilenceUi {
    form: RwSignal<Option<Vec<Matcher>>>,
    created: RwSignal<Vec<SilenceView>>,
    expired: RwSignal<Vec<String>>,
    error: RwSignal<Option<String>>,
    hydrated: ReadSignal<bool>,
}

impl SilenceUi {
    /// Open the form for one series: `alertname` first, then its labels.
    fn open(&self, alertname: &str, labels: &Labels) {
        let mut matchers = vec![Matcher::equal("alertname", alertname)];
        matchers.extend(
            labels
                .iter()
                .filter(|(k, _)| k.as_str() != "alertname")
                .map(|(k, v)| Matcher::equal(k.clone(), v.clone())),
        );
        self.error.set(None);
        self.form.set(Some(matchers));
    }

    fn expire(&self, id: String) {
        let (expired, error) = (self.expired, self.error);
        error.set(None);
        leptos::task::spawn_local(async move {
            match expire_silence(id.clone()).await {
                Ok(_) => expired.update(|e| e.push(id)),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    }

    /// The group's silences, plus ones created here, minus ones expired here.
    fn shown(&self, from_stream: Vec<SilenceView>) -> Vec<SilenceView> {
        let expired = self.expired.get();
        let mut all = from_stream;
        for s in self.created.get() {
            if !all.iter().any(|x| x.id == s.id) {
                all.push(s);
            }
        }
        all.retain(|s| !expired.contains(&s.id));
        all
    }
}

#[component]
fn LivePanel(
    alertname: String,
    state: LiveState,
    url: String,
    labels: Labels,
    incident: Option<i64>,
) -> impl IntoView {
    let live = RwSignal::new(state);
    follow_stream(url, live);
    let now = use_now();
    let ui = SilenceUi {
        form: RwSignal::new(None),
        created: RwSignal::new(Vec::new()),
        expired: RwSignal::new(Vec::new()),
        error: RwSignal::new(None),
        hydrated: use_hydrated(),
    };
    let done = Callback::new(move |s: SilenceView| {
        ui.created.update(|c| c.push(s));
        ui.form.set(None);
    });
    let cancel = Callback::new(move |()| ui.form.set(None));
    let whole = alertname.clone();
    let filtered = !labels.is_empty();
    let (show_all, set_show_all) = signal(!filtered);
    let group = move || live.with(|s| s.groups.first().cloned());
    let filter_text = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let instances = move || {
        let labels = labels.clone();
        let filter_text = filter_text.clone();
        group().map(|g| {
            let total = g.instances.len();
            let shown: Vec<AlertInstance> = g
                .instances
                .into_iter()
                .filter(|i| show_all.get() || i.matches(&labels))
                .collect();
            let toggle = filtered.then(|| {
                view! {
                    <p class="filter">
                        {move || if show_all.get() { "All instances.".to_string() } else { format!("Instances matching {filter_text}.") }}
                        " "
                        <button class="show-all" on:click=move |_| set_show_all.update(|v| *v = !*v)>
                            {move || if show_all.get() { "show matching only".to_string() } else { format!("show all {total}") }}
                        </button>
                    </p>
                }
            });
            view! {
                {toggle}
                <InstanceTable instances=shown now ui />
            }
        })
    };
    view! {
        <section class="alert-panel" data-alertname=move || group().map(|g| g.alertname).unwrap_or_default()>
            <h2>"Live alert state"</h2>
            {move || group().map(|g| view! { <GroupBadge group=g /> })}
            {move || view! { <StaleBanner upstreams=live.with(|s| s.upstreams.clone()) now /> }}
            {instances}
            <p class="silence-actions">
                <button class="silence-alert" disabled=move || !ui.hydrated.get()
                    on:click=move |_| ui.open(&whole, &Labels::new())>
                    "Silence the whole alert"
                </button>
            </p>
            {move || ui.form.get().map(|matchers| view! { <SilenceForm matchers incident done cancel /> })}
            {move || ui.error.get().map(|e| view! { <p class="error silence-error" role="alert">{e}</p> })}
            {move || {
                let silences = ui.shown(group().map(|g| g.silences).unwrap_or_default());
                view! { <Silences silences now ui /> }
            }}
            {move || group().map(|g| view! { <LiveRuleBox rules=g.rules /> })}
        </section>
    }
    .into_any()
}

/// The state badge; `data-state` is stable for scripts and tests.
#[component]
pub fn GroupBadge(group: AlertGroup) -> impl IntoView {
    let css = group.state.css();
    let count = |state: &str| group.instances.iter().filter(|i| i.state == state).count();
    let counts = match (count("firing"), count("pending")) {
        (0, 0) => String::new(),
        (f, 0) => format!(" · {f} instance(s)"),
        (0, p) => format!(" · {p} pending"),
        (f, p) => format!(" · {f} firing, {p} pending"),
    };
    view! {
        <span class=format!("badge {css}") data-state=css>
            {group.state.label()}
            {counts}
        </span>
    }
}

/// "Prometheus X is not answering … last updated N s ago", per failing upstream.
#[component]
pub fn StaleBanner(
    upstreams: Vec<UpstreamHealth>,
    now: ReadSignal<DateTime<Utc>>,
) -> impl IntoView {
    upstreams
        .into_iter()
        .filter(|u| !u.healthy())
        .map(|u| {
            let error = u
                .last_error
                .clone()
                .unwrap_or_else(|| "no answer yet".into());
            let updated = match u.last_success {
                Some(at) => view! { "Last updated " <When at now /> "." }.into_any(),
                None => view! { "Never reached since start-up." }.into_any(),
            };
            view! {
                <p class="stale-banner" role="status" data-upstream=u.name.clone()>
                    <strong>{format!("{} ({}) is not answering: ", u.name, u.kind)}</strong>
                    {error}
                    ". The state shown may be out of date. "
                    {updated}
                </p>
            }
        })
        .collect_view()
}

#[component]
fn InstanceTable(
    instances: Vec<AlertInstance>,
    now: ReadSignal<DateTime<Utc>>,
    ui: SilenceUi,
) -> impl IntoView {
    if instances.is_empty() {
        return view! { <p class="no-instances">"No instance is firing or pending."</p> }
            .into_any();
    }
    let rows = instances
        .into_iter()
        .map(|i| {
            let state = if i.muted() {
                format!("{} (silenced)", i.state)
            } else {
                i.state.clone()
            };
            let labels = i
                .labels
                .iter()
                .filter(|(k, _)| k.as_str() != "alertname")
                .map(|(k, v)| view! { <code class="label">{format!("{k}=\"{v}\"")}</code> " " })
                .collect_view();
            // What the rule's author wrote for responders (the summary, the
            // description), as Prometheus filled it for this series.
            let annotations = i
                .annotations
                .iter()
                .filter(|(k, _)| k.as_str() != "runbook_url")
                .map(|(k, v)| view! {
                    <p class="annotation"><span class="muted">{format!("{k}: ")}</span>{v.clone()}</p>
                })
                .collect_view();
            let series = i.labels.clone();
            view! {
                <tr class="instance" data-state=i.state.clone() data-muted=i.muted().to_string()>
                    <td>{state}</td>
                    <td>{labels}{annotations}</td>
                    <td class="value">{i.value.as_deref().map_or_else(|| "—".into(), portal_types::format::sample_text)}</td>
                    <td>{i.active_at.map(|at| view! { <When at now /> })}</td>
                    <td>
                        <button class="silence-instance" disabled=move || !ui.hydrated.get()
                            on:click=move |_| ui.open(series.get("alertname").map_or("", String::as_str), &series)>
                            "Silence"
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="instances">
            <thead>
                <tr>
                    <th>"State"</th>
                    <th>"Labels"</th>
                    <th>"Value"</th>
                    <th>"Active since"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

#[component]
fn Silences(
    silences: Vec<SilenceView>,
    now: ReadSignal<DateTime<Utc>>,
    ui: SilenceUi,
) -> impl IntoView {
    (!silences.is_empty()).then(|| {
        let items = silences
            .into_iter()
            .map(|s| {
                let id = s.id.clone();
                view! {
                    <li class="silence" data-silence-id=s.id.clone()>
                        <strong>{format!("Silenced by {}", s.created_by)}</strong>
                        " until "
                        <When at=s.ends_at now />
                        ": "
                        <span class="comment">{s.comment.clone()}</span>
                        " "
                        <code>{s.matchers.join(", ")}</code>
                        " "
                        <button class="expire" disabled=move || !ui.hydrated.get()
                            on:click=move |_| ui.expire(id.clone())>
                            "Expire"
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! {
            <h3>"Silences"</h3>
            <ul class="silences">{items}</ul>
        }
    })
}
