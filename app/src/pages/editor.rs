use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{SaveRunbook, edit_source, preview_runbook, suggest_group};
use crate::components::DiffTable;
use crate::links;
use portal_types::{ConflictView, EditSource, RunbookView, SaveOutcome};

/// Quiet time after the last keystroke before the preview is re-rendered.
const PREVIEW_DEBOUNCE: Duration = Duration::from_millis(300);

/// `/runbooks/{group}/{alert}/edit`: edit a runbook, or write a missing one.
#[component]
pub fn EditorPage(key: String) -> impl IntoView {
    let source = Resource::new(move || key.clone(), edit_source);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match source.await {
                    Ok(source) => view! { <Editor source /> }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/new-runbook?group=&alert=`: pick a group and an alert name (the group
/// is suggested from the rule file defining the alert), then edit the
/// template.
#[component]
pub fn NewRunbookPage() -> impl IntoView {
    let query = use_query_map();
    let wanted = move || {
        let q = query.read();
        let field = |name: &str| q.get(name).unwrap_or_default().trim().to_string();
        (field("group"), field("alert"))
    };
    let form = Resource::new(wanted, |(group, alert)| async move {
        let group = match (group.is_empty(), alert.is_empty()) {
            (true, false) => suggest_group(alert.clone()).await?.unwrap_or_default(),
            _ => group,
        };
        let source = if group.is_empty() || alert.is_empty() {
            None
        } else {
            Some(edit_source(format!("{group}/{alert}")).await?)
        };
        Ok::<_, crate::error::AppError>((group, alert, source))
    });
    view! {
        <Title text="New runbook" />
        <h1>"New runbook"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok((group, alert, source)) => view! {
                        <form class="new-runbook" method="get" action="/new-runbook">
                            <label>"Group " <input name="group" value=group required /></label>
                            " "
                            <label>"Alert name " <input name="alert" value=alert required /></label>
                            " "
                            <button type="submit">"Continue"</button>
                        </form>
                        {source.map(|source| if source.exists {
                            view! {
                                <p class="exists">
                                    "This runbook exists: "
                                    <a href=links::edit(&source.key)>"edit it"</a>
                                </p>
                            }.into_any()
                        } else {
                            view! { <Editor source /> }.into_any()
                        })}
                    }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The textarea, the live preview and the save form. Saving is a server
/// function behind a form, so it also works as a plain POST without
/// JavaScript; a saved edit redirects to the runbook page.
#[component]
fn Editor(source: EditSource) -> impl IntoView {
    let save = ServerAction::<SaveRunbook>::new();
    let (text, set_text) = signal(source.source.clone());
    let (base, set_base) = signal(source.revision);
    let (shown, set_shown) = signal(source.source.clone());
    let (conflict, set_conflict) = signal(None::<ConflictView>);
    let preview_key = source.key.clone();
    let preview = Resource::new(
        move || shown.get(),
        move |text| preview_runbook(preview_key.clone(), text),
    );
    let typed = StoredValue::new(0u64);
    let on_input = move |ev| {
        set_text.set(event_target_value(&ev));
        typed.update_value(|n| *n += 1);
        let ticket = typed.get_value();
        set_timeout(
            move || {
                if typed.get_value() == ticket {
                    set_shown.set(text.get_untracked());
                }
            },
            PREVIEW_DEBOUNCE,
        );
    };
    // A conflict: the editor continues from the merge, based on the
    // revision that landed meanwhile.
    Effect::new(move |_| {
        if let Some(Ok(SaveOutcome::Conflict(c))) = save.value().get() {
            set_base.set(Some(c.current.id));
            set_text.set(c.merged.clone());
            set_shown.set(c.merged.clone());
            set_conflict.set(Some(c));
        }
    });
    let heading = if source.exists {
        format!("Edit {}", source.key)
    } else {
        format!("New runbook {}", source.key)
    };
    let initial_base = source.revision.map(|b| b.to_string()).unwrap_or_default();
    view! {
        <Title text=heading.clone() />
        <p class="breadcrumb">
            <a href="/runbooks">"Runbooks"</a>
            " / "
            <a href=links::runbook(&source.key)>{source.key.clone()}</a>
            {source.exists.then(|| view! {
                " · " <a href=links::history(&source.key)>"History"</a>
            })}
        </p>
        <h1>{heading}</h1>
        {move || conflict.get().map(|c| view! { <ConflictPanel c /> })}
        {move || {
            save.value()
                .get()
                .and_then(Result::err)
                .map(|e| view! { <p class="error save-error" role="alert">{e.to_string()}</p> })
        }}
        <div class="editor">
            <ActionForm action=save>
                <input type="hidden" name="key" value=source.key.clone() />
                <input
                    type="hidden"
                    name="base"
                    value=initial_base
                    prop:value=move || base.get().map(|b| b.to_string()).unwrap_or_default()
                />
                <textarea
                    name="source"
                    class="editor-source"
                    rows="32"
                    spellcheck="false"
                    aria-label="Markdown source"
                    prop:value=move || text.get()
                    on:input=on_input
                >
                    {source.source.clone()}
                </textarea>
                <p>
                    <input
                        type="text"
                        name="message"
                        class="commit-message"
                        placeholder="What changed, and why"
                        aria-label="Commit message"
                    />
                    " "
                    <button type="submit" class="save" disabled=move || save.pending().get()>
                        "Save"
                    </button>
                </p>
            </ActionForm>
            <section class="preview" aria-label="Preview">
                <Transition fallback=|| view! { <p class="muted">"Rendering…"</p> }>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Ok(runbook) => view! { <PreviewPane runbook /> }.into_any(),
                            Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// The preview's body (the server sends checks as static cards in it).
fn preview_html(runbook: &RunbookView) -> String {
    runbook
        .body
        .iter()
        .filter_map(|part| match part {
            portal_types::BodyPart::Html(html) => Some(html.as_str()),
            portal_types::BodyPart::Check(_) => None,
        })
        .collect()
}

/// The page as it will look, rendered by the server's own pipeline.
#[component]
fn PreviewPane(runbook: RunbookView) -> impl IntoView {
    let html = preview_html(&runbook);
    view! {
        <div class="preview-page">
            <h1>{runbook.title}</h1>
            {runbook.description.map(|d| view! { <p class="lead">{d}</p> })}
            {runbook.error.map(|e| view! {
                <div class="broken-runbook" role="alert"><pre class="parse-error">{e}</pre></div>
            })}
            <div class="body" inner_html=html></div>
        </div>
    }
}

#[component]
fn ConflictPanel(c: ConflictView) -> impl IntoView {
    let who = format!(
        "Revision {} by {} ({}, {}){}",
        c.current.id,
        c.current.author,
        c.current.origin,
        c.current.at.format("%Y-%m-%d %H:%M UTC"),
        if c.current.message.is_empty() {
            String::new()
        } else {
            format!(": “{}”", c.current.message)
        }
    );
    view! {
        <section class="conflict" role="alert" data-current=c.current.id.to_string()>
            <h2>"Someone else saved this runbook while you were editing"</h2>
            <p>{who}</p>
            <p>"Their change, against the revision you started from:"</p>
            <DiffTable diff=c.theirs />
            <p>
                "The editor now holds both versions merged. Where you both changed the same lines, "
                "both texts are kept between " <code>"<<<<<<<"</code> " and " <code>">>>>>>>"</code>
                " markers: resolve them and save again."
            </p>
            <details>
                <summary>"Your text as you tried to save it"</summary>
                <pre class="mine">{c.mine}</pre>
            </details>
        </section>
    }
}
