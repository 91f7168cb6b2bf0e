//! The silence form of the live alert panel: matchers prefilled from the
//! clicked series (`alertname` fixed, the others editable or removable), a
//! duration up to the configured cap, a required comment, an optional
//! incident, and a live (debounced) count of the alerts it would hide now.

use std::time::Duration;

use leptos::prelude::*;

use crate::api::{create_silence, preview_silence};
use portal_types::{CreateSilence, Matcher, SilencePreview, SilenceView, duration_choices};

const PREVIEW_DEBOUNCE: Duration = Duration::from_millis(300);
/// The duration chosen first (or the cap, if it is shorter).
const DEFAULT_MINUTES: i64 = 120;

#[derive(Clone)]
struct Row {
    key: usize,
    matcher: RwSignal<Matcher>,
}

/// `matchers` start the form (the first is `alertname`); `done` receives the
/// created silence, `cancel` closes the form.
#[component]
pub fn SilenceForm(
    matchers: Vec<Matcher>,
    incident: Option<i64>,
    done: Callback<SilenceView>,
    cancel: Callback<()>,
) -> impl IntoView {
    let next_key = StoredValue::new(matchers.len());
    let rows = RwSignal::new(
        matchers
            .into_iter()
            .enumerate()
            .map(|(key, m)| Row {
                key,
                matcher: RwSignal::new(m),
            })
            .collect::<Vec<_>>(),
    );
    let current =
        move || -> Vec<Matcher> { rows.with(|r| r.iter().map(|r| r.matcher.get()).collect()) };
    let preview = RwSignal::new(None::<Result<SilencePreview, String>>);
    let minutes = RwSignal::new(DEFAULT_MINUTES);
    let comment = RwSignal::new(String::new());
    let incident_text = RwSignal::new(incident.map(|i| i.to_string()).unwrap_or_default());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    // Every change of a matcher asks again, once typing pauses; only the
    // answer to the latest question is shown.
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        let matchers = current();
        asked.update_value(|n| *n += 1);
        let ticket = asked.get_value();
        set_timeout(
            move || {
                if asked.get_value() != ticket {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let answer = preview_silence(matchers).await.map_err(|e| e.to_string());
                    if asked.get_value() == ticket {
                        if let Ok(p) = &answer {
                            let cap = i64::from(p.max_duration_hours) * 60;
                            minutes.update(|m| *m = (*m).min(cap));
                        }
                        preview.set(Some(answer));
                    }
                });
            },
            PREVIEW_DEBOUNCE,
        );
    });

    let max_hours = move || {
        preview.with(|p| match p {
            Some(Ok(p)) => p.max_duration_hours,
            _ => 24,
        })
    };
    let refused = move || {
        preview.with(|p| match p {
            Some(Ok(p)) => p.refusal.is_some(),
            Some(Err(_)) => true,
            None => false,
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let incident_id = match incident_text.get_untracked().trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    error.set(Some(format!("{text:?} is not an incident number")));
                    return;
                }
            },
        };
        let create = CreateSilence {
            matchers: current(),
            duration_minutes: minutes.get_untracked(),
            comment: comment.get_untracked(),
            incident_id,
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match create_silence(create).await {
                Ok(outcome) => {
                    busy.set(false);
                    if let Some(w) = outcome.warning {
                        error.set(Some(w));
                    }
                    done.run(outcome.silence);
                }
                Err(e) => {
                    busy.set(false);
                    error.set(Some(e.to_string()));
                }
            }
        });
    };
    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|r| {
            r.push(Row {
                key,
                matcher: RwSignal::new(Matcher::equal("", "")),
            })
        });
    };
    view! {
        <form class="silence-form" on:submit=submit>
            <h3>"New silence"</h3>
            <ul class="matchers">
                <For
                    each=move || rows.get()
                    key=|row| row.key
                    children=move |row| view! { <MatcherRow row rows /> }
                />
            </ul>
            <button type="button" class="add-matcher" on:click=add>"Add matcher"</button>
            <p class="silence-preview" data-count=move || preview.with(|p| match p { Some(Ok(p)) => p.count.to_string(), _ => String::new() })>
                {move || preview.get().map(|p| match p {
                    Ok(p) => view! {
                        <span class="count">{format!("Matches {} alert(s) now.", p.count)}</span>
                        {p.refusal.map(|r| view! { " " <strong class="refusal">{r}</strong> })}
                    }.into_any(),
                    Err(e) => view! { <strong class="refusal">{e}</strong> }.into_any(),
                })}
            </p>
            <label>
                "Duration "
                <select class="duration" on:change=move |ev| {
                    if let Ok(m) = event_target_value(&ev).parse() { minutes.set(m) }
                }>
                    {move || duration_choices(max_hours()).into_iter().map(|(m, label)| {
                        view! { <option value=m.to_string() selected=move || minutes.get() == m>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Comment (required) "
                <textarea class="comment" required=true maxlength="2000"
                    prop:value=move || comment.get()
                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
            </label>
            <label>
                "Incident "
                <input class="incident" type="text" inputmode="numeric" size="6"
                    prop:value=move || incident_text.get()
                    on:input=move |ev| incident_text.set(event_target_value(&ev)) />
            </label>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit" class="create-silence"
                disabled=move || busy.get() || refused() || comment.with(|c| c.trim().is_empty())>
                "Create silence"
            </button>
            " "
            <button type="button" class="cancel" on:click=move |_| cancel.run(())>"Cancel"</button>
        </form>
    }
}

#[component]
fn MatcherRow(row: Row, rows: RwSignal<Vec<Row>>) -> impl IntoView {
    let m = row.matcher;
    // The alert name keeps the silence to this alert: shown, not editable.
    let fixed = m.with_untracked(|m| m.name == "alertname");
    let op = move || {
        m.with(|m| match (m.is_equal, m.is_regex) {
            (true, false) => "=",
            (false, false) => "!=",
            (true, true) => "=~",
            (false, true) => "!~",
        })
    };
    let set_op = move |ev| {
        let (is_equal, is_regex) = match event_target_value(&ev).as_str() {
            "!=" => (false, false),
            "=~" => (true, true),
            "!~" => (false, true),
            _ => (true, false),
        };
        m.update(|m| {
            m.is_equal = is_equal;
            m.is_regex = is_regex;
        });
    };
    let key = row.key;
    if fixed {
        return view! {
            <li class="matcher fixed" data-name="alertname">
                <code>{move || m.with(Matcher::render)}</code>
            </li>
        }
        .into_any();
    }
    view! {
        <li class="matcher" data-name=move || m.with(|m| m.name.clone())>
            <input class="name" type="text" size="12" aria-label="label name"
                prop:value=move || m.with(|m| m.name.clone())
                on:input=move |ev| m.update(|m| m.name = event_target_value(&ev)) />
            <select class="op" aria-label="operator" on:change=set_op>
                {["=", "!=", "=~", "!~"].into_iter().map(|o| view! {
                    <option value=o selected=move || op() == o>{o}</option>
                }).collect_view()}
            </select>
            <input class="value" type="text" size="24" aria-label="label value"
                prop:value=move || m.with(|m| m.value.clone())
                on:input=move |ev| m.update(|m| m.value = event_target_value(&ev)) />
            <button type="button" class="remove" title="remove this matcher"
                on:click=move |_| rows.update(|r| r.retain(|x| x.key != key))>"Remove"</button>
        </li>
    }
    .into_any()
}
