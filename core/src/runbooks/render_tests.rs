//! Tests of the Markdown renderer.

use super::*;
use crate::runbooks::document::parse;
use crate::runbooks::source::SourceFile;

fn rules() -> RuleSet {
    RuleSet::parse(&[SourceFile {
        path: "node/node.yml".into(),
        text: "groups:\n- name: n\n  rules:\n  - alert: Full\n    expr: avail < 0.1\n".into(),
    }])
}

#[test]
fn rule_comes_from_file_else_from_comment_copy() {
    let doc = parse("{{% rule \"node/node.yml\" \"Full\" %}}").unwrap();
    let out = render(&doc, &rules());
    assert!(
        out.html.contains("data-source=\"rule-file\""),
        "{}",
        out.html
    );
    assert!(out.html.contains("avail &lt; 0.1"));

    let doc = parse(
        "{{% rule \"gone.yml\" \"Gone\" %}}\n{{% comment %}}\n```yaml\nalert: Gone\nexpr: x > 1\n```\n{{% /comment %}}",
    )
    .unwrap();
    let out = render(&doc, &rules());
    assert!(
        out.html.contains("data-source=\"comment-copy\""),
        "{}",
        out.html
    );
    assert!(out.html.contains("not found"));
    assert_eq!(out.rule.unwrap().1, RuleSource::CommentCopy);

    let doc = parse(
        "{{% rule \"node/node.yml\" \"Full\" %}}\n{{% comment %}}\n```yaml\nalert: Full\nexpr: avail < 0.2\n```\n{{% /comment %}}",
    )
    .unwrap();
    let out = render(&doc, &rules());
    assert!(out.html.contains("differs in: expr"), "{}", out.html);
}

#[test]
fn scripts_and_handlers_are_removed_details_kept() {
    let doc = parse("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n<details><summary>S</summary>kept</details>").unwrap();
    let html = render(&doc, &RuleSet::default()).html;
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert!(
        html.contains("<details>") && html.contains("<summary>"),
        "{html}"
    );
}

#[test]
fn headings_get_unique_ids() {
    let doc = parse("## Meaning\n\n## Meaning\n\n## Diagnosis (`disk`)").unwrap();
    let out = render(&doc, &RuleSet::default());
    let ids: Vec<_> = out.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["meaning", "meaning-1", "diagnosis-disk"]);
    assert!(out.html.contains("id=\"meaning-1\""));
    assert!(
        out.html.contains("href=\"#meaning-1\""),
        "anchor link: {}",
        out.html
    );
}

#[test]
fn leading_title_dropped_code_highlighted_and_text_kept() {
    let doc = parse("# Title\n\nIntro words\n\n```yaml\nkey: <value>\n```\n").unwrap();
    let out = render(&doc, &RuleSet::default());
    assert!(!out.html.contains("<h1"), "{}", out.html);
    assert!(out.html.contains("hl-"), "highlighted: {}", out.html);
    assert!(out.html.contains("&lt;value&gt;"), "escaped: {}", out.html);
    assert!(out.text.contains("Intro words") && out.text.contains("Title"));
}

#[test]
fn unknown_shortcodes_are_visible() {
    let doc = parse("{{< tabs >}}").unwrap();
    let html = render(&doc, &RuleSet::default()).html;
    assert!(html.contains("Unsupported shortcode"), "{html}");
}

mod placeholders {
    use super::super::render;
    use crate::placeholders::Template;
    use crate::runbooks::document::parse;
    use crate::test_support::labels;

    fn page(markdown: &str, given: &[(&str, &str)]) -> String {
        let html = render(&parse(markdown).unwrap(), &Default::default()).html;
        Template::parse(&html).fill(&labels(given), None)
    }

    #[test]
    fn link_targets_and_titles_hold_placeholders_with_spaces() {
        let html = page(
            "[Grafana](https://grafana/d/x?var-instance={{ $labels.instance }}&from=now-1h \"{{ $labels.instance }} dashboard\") \
             <https://{{ $labels.instance }}/metrics> [job](/runbooks/{{ $labels.job }})\n\n\
             ![graph](https://img/{{ $labels.job }}.png)",
            &[("instance", "db1:9100"), ("job", "node")],
        );
        assert!(
            html.contains("href=\"https://grafana/d/x?var-instance=db1%3A9100&amp;from=now-1h\" title=\"db1:9100 dashboard\""),
            "{html}"
        );
        assert!(html.contains("href=\"https://db1:9100/metrics\""), "{html}");
        assert!(
            html.contains(">https://<mark class=\"filled\""),
            "the autolink's text is filled as text: {html}"
        );
        assert!(html.contains("href=\"/runbooks/node\""), "{html}");
        assert!(html.contains("src=\"https://img/node.png\""), "{html}");
        assert!(!html.contains("zqportalplaceholder"), "{html}");
        assert!(!html.contains("{{"), "{html}");
    }

    #[test]
    fn unfilled_link_placeholders_stay_as_written_and_text_is_unchanged() {
        let html = page(
            "# T\n\n## On {{ $labels.instance }}\n\n[start]({{ $labels.url }}) `df {{ $labels.mountpoint }}` | a |\n|---|\n| {{ $labels.job }} |",
            &[("url", "javascript:alert(1)")],
        );
        assert!(html.contains("href=\"{{ $labels.url }}\""), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains("title=\"label mountpoint not given\">{{ $labels.mountpoint }}</mark>"),
            "{html}"
        );
        assert!(
            html.contains("title=\"label instance not given\">{{ $labels.instance }}</mark>"),
            "{html}"
        );
    }
}
