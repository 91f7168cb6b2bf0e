//! Property test: no input makes the runbook parser or renderer panic, and
//! nothing it outputs carries a script. Runs a bounded number of cases in the
//! normal test command.

use portal_core::placeholders::Template;
use portal_core::runbooks::document::parse;
use portal_core::runbooks::render::render;
use portal_core::runbooks::rules::RuleSet;
use portal_core::runbooks::source::SourceFile;
use portal_types::Labels;
use proptest::prelude::*;

/// Pieces that real runbooks are made of, so random combinations reach the
/// interesting paths (front matter, shortcodes, fences, HTML, templates).
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---\n".to_string()),
        Just("title: x\ntags:\n  - a\n".to_string()),
        Just("{{% rule \"r/r.yml\" \"A\" %}}".to_string()),
        Just("{{% comment %}}\n```yaml\nalert: A\nexpr: up\n```\n".to_string()),
        Just("{{% /comment %}}".to_string()),
        Just("{{< tabs >}}".to_string()),
        Just("{{ $labels.instance }}".to_string()),
        Just("{{ printf \"{{ $value }}\" }}".to_string()),
        Just("<details><summary>S</summary>".to_string()),
        Just("</details>".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("```check\nid: x\n".to_string()),
        Just("```\n".to_string()),
        Just("\t- item\n".to_string()),
        Just("## Mitigation\n1. step\n".to_string()),
        Just("**term**\n: definition\n".to_string()),
        "[^\\x00]{0,40}",
        any::<String>(),
    ]
}

fn rules() -> RuleSet {
    RuleSet::parse(&[SourceFile {
        path: "r/r.yml".into(),
        text: "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n".into(),
    }])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_and_render_never_panic(parts in proptest::collection::vec(fragment(), 0..24)) {
        let text = parts.concat();
        if let Ok(doc) = parse(&text) {
            let out = render(&doc, &rules());
            let mut labels = Labels::new();
            labels.insert("instance".into(), "<script>x</script>".into());
            let html = Template::parse(&out.html).fill(&labels, Some("1"));
            prop_assert!(!html.to_lowercase().contains("<script"), "script in output: {}", html);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(text in any::<String>()) {
        if let Ok(doc) = parse(&text) {
            let _ = render(&doc, &rules());
        }
    }
}
