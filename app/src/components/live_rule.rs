//! The rule as Prometheus evaluates it now (`/api/v1/rules`): state, health,
//! last evaluation and last error. Shown beside the runbook's own rule box,
//! which falls back to the rule files or the runbook's copy.

use leptos::prelude::*;

use portal_types::LiveRule;

#[component]
pub fn LiveRuleBox(rules: Vec<LiveRule>) -> impl IntoView {
    rules
        .into_iter()
        .map(|rule| {
            let for_ = (rule.for_secs > 0.0).then(|| format!("{} s", rule.for_secs));
            view! {
                <div class="live-rule" data-health=rule.health.clone() data-state=rule.state.clone()>
                    <h3>{format!("Live rule in {}", rule.upstream)}</h3>
                    <dl>
                        <dt>"State"</dt>
                        <dd>{rule.state.clone()}</dd>
                        <dt>"Health"</dt>
                        <dd>{rule.health.clone()}</dd>
                        <dt>"Last evaluation"</dt>
                        <dd>
                            // Evaluation times move every cycle but are not
                            // streamed (they would make every poll an event),
                            // so show the time, not a ticking "ago".
                            {match rule.last_evaluation {
                                Some(at) => view! { <time datetime=at.to_rfc3339()>{portal_types::format::timestamp(at)}</time> }.into_any(),
                                None => "never".into_any(),
                            }}
                        </dd>
                        {rule.last_error.clone().map(|e| view! { <dt>"Last error"</dt><dd class="error">{e}</dd> })}
                        <dt>"Group"</dt>
                        <dd>{format!("{} ({})", rule.group, rule.file)}</dd>
                        {for_.map(|f| view! { <dt>"For"</dt><dd>{f}</dd> })}
                    </dl>
                    <pre class="live-query"><code>{rule.query.clone()}</code></pre>
                </div>
            }
        })
        .collect_view()
}
