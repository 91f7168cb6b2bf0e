use leptos::prelude::*;

use portal_types::{DiffLine, DiffView};

/// A diff as a table: unified (one column, `-`/`+` lines) or side by side;
/// changed words inside a line are marked.
#[component]
pub fn DiffTable(diff: DiffView, #[prop(optional)] split: bool) -> impl IntoView {
    let summary = format!("+{} −{}", diff.added, diff.removed);
    let body = if split {
        diff.rows
            .into_iter()
            .map(|row| {
                view! {
                    <tr>
                        <Cell line=row.left side=Side::Old />
                        <Cell line=row.right side=Side::New />
                    </tr>
                }
            })
            .collect_view()
            .into_any()
    } else {
        diff.unified
            .into_iter()
            .map(|line| {
                let kind = line.kind.as_str();
                view! {
                    <tr class=format!("diff-{kind}") data-kind=kind>
                        <td class="ln">{line.old.map(|n| n.to_string())}</td>
                        <td class="ln">{line.new.map(|n| n.to_string())}</td>
                        <td class="code">{sign(kind)}<Parts line /></td>
                    </tr>
                }
            })
            .collect_view()
            .into_any()
    };
    let class = if split { "diff split" } else { "diff unified" };
    view! {
        <p class="diff-summary muted">{summary}</p>
        <table class=class>
            <tbody>{body}</tbody>
        </table>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Old,
    New,
}

#[component]
fn Cell(line: Option<DiffLine>, side: Side) -> impl IntoView {
    match line {
        None => view! { <td class="ln"></td><td class="code diff-empty"></td> }.into_any(),
        Some(line) => {
            let kind = line.kind.as_str();
            let number = if side == Side::Old {
                line.old
            } else {
                line.new
            };
            view! {
                <td class="ln">{number.map(|n| n.to_string())}</td>
                <td class=format!("code diff-{kind}") data-kind=kind>{sign(kind)}<Parts line /></td>
            }
            .into_any()
        }
    }
}

fn sign(kind: &str) -> &'static str {
    match kind {
        "delete" => "-",
        "insert" => "+",
        "skip" => "⋯",
        _ => " ",
    }
}

#[component]
fn Parts(line: DiffLine) -> impl IntoView {
    line.parts
        .into_iter()
        .map(|part| {
            if part.emph {
                view! { <mark>{part.text}</mark> }.into_any()
            } else {
                view! { <span>{part.text}</span> }.into_any()
            }
        })
        .collect_view()
}
