//! Tests of the placeholder syntax and its fills.

use super::*;
use crate::test_support::labels;

#[test]
fn fills_given_labels_escaped_and_marks_missing_ones() {
    let t = Template::parse("<p>on {{ $labels.instance }} job {{$labels.job}}</p>");
    let html = t.fill(&labels(&[("instance", "<b>db1</b>")]), None);
    assert!(html.contains("&lt;b&gt;db1&lt;/b&gt;"), "{html}");
    assert!(!html.contains("<b>db1"));
    assert!(
        html.contains("class=\"placeholder\" title=\"label job not given\">{{$labels.job}}</mark>"),
        "{html}"
    );
}

#[test]
fn tolerates_go_template_forms() {
    let t = Template::parse(
        "v={{ $value | printf &quot;%.2f&quot;}} h={{ printf &quot;{{ $labels.node }}&quot; }} all={{ $labels }} keep={{ .Values.x }}",
    );
    let html = t.fill(&labels(&[("node", "n1")]), Some("0.12345"));
    assert!(html.contains(">0.12</mark>"), "{html}");
    assert!(html.contains(">n1</mark>"), "{html}");
    assert!(
        !html.contains("&quot; }}"),
        "Helm form consumed whole: {html}"
    );
    assert!(html.contains(">map[node:n1]</mark>"), "{html}");
    assert!(
        html.contains("keep={{ .Values.x }}"),
        "unknown forms stay as text: {html}"
    );
}

#[test]
fn placeholders_in_attributes_are_filled_for_the_attribute_without_markup() {
    let t = Template::parse(
        "<a href=\"https://grafana/d/x?var-instance={{ $labels.instance }}&amp;from=now\" title=\"a > {{ $labels.instance }}\">on {{ $labels.instance }}</a>",
    );
    let html = t.fill(&labels(&[("instance", "db1:9100 \"><script>")]), None);
    assert_eq!(
        html,
        "<a href=\"https://grafana/d/x?var-instance=db1%3A9100%20%22%3E%3Cscript%3E&amp;from=now\" title=\"a > db1:9100 &quot;&gt;&lt;script&gt;\">on <mark class=\"filled\" title=\"label instance\">db1:9100 \"&gt;&lt;script&gt;</mark></a>"
    );
}

#[test]
fn a_label_never_chooses_where_a_link_goes() {
    let t = Template::parse(
        "<a href=\"{{ $labels.url }}\">a</a><img src=\"{{ $labels.url }}/x.png\"><a href=\"https://{{ $labels.host }}/metrics\">b</a>",
    );
    let html = t.fill(
        &labels(&[("url", "javascript:alert(1)"), ("host", "evil.com/phish?")]),
        None,
    );
    assert_eq!(
        html,
        "<a href=\"{{ $labels.url }}\">a</a><img src=\"{{ $labels.url }}/x.png\"><a href=\"https://{{ $labels.host }}/metrics\">b</a>",
        "scheme positions and a host that is not host[:port] stay as written"
    );
    let html = t.fill(&labels(&[("host", "db1:9100")]), None);
    assert!(html.contains("href=\"https://db1:9100/metrics\""), "{html}");
}

#[test]
fn relative_links_take_the_value_as_one_segment() {
    let t = Template::parse("<a href=\"/runbooks/{{ $labels.job }}#{{ $labels.job }}\">j</a>");
    let html = t.fill(&labels(&[("job", "a/b c")]), None);
    assert_eq!(html, "<a href=\"/runbooks/a%2Fb%20c#a%2Fb%20c\">j</a>");
}

#[test]
fn html_without_placeholders_is_one_part() {
    let t = Template::parse("<p>plain</p>");
    assert!(!t.has_placeholders());
    assert_eq!(t.fill(&Labels::new(), None), "<p>plain</p>");
}

#[test]
fn trim_markers_mean_nothing_everywhere() {
    let l = labels(&[("job", "node")]);
    for text in [
        "{{ $labels.job }}",
        "{{- $labels.job -}}",
        "{{-$labels.job}}",
        "{{$labels.job -}}",
    ] {
        assert_eq!(fill_text(&format!("a {text} b"), &l), "a node b", "{text}");
        assert_eq!(
            labels_only(text).unwrap(),
            [(0..text.len(), "job".to_string())]
        );
        let html = Template::parse(&format!("<p>{text}</p>")).fill(&l, None);
        assert!(html.contains(">node</mark>"), "{html}");
    }
}

#[test]
fn plain_text_fills_labels_and_keeps_the_rest() {
    let l = labels(&[("instance", "db1:9100")]);
    assert_eq!(
        fill_text(
            "check {{ $labels.instance }} and {{$labels.job}} at {{ $value }}",
            &l
        ),
        "check db1:9100 and {{$labels.job}} at {{ $value }}"
    );
    assert_eq!(
        fill_text("all {{ $labels }}", &l),
        "all map[instance:db1:9100]"
    );
    assert_eq!(fill_text("{{ .Values.x }}", &l), "{{ .Values.x }}");
}

#[test]
fn checks_take_bare_labels_only() {
    assert_eq!(
        labels_only("a{{ $labels.x }}b{{$labels.y}}").unwrap(),
        [(1..16, "x".to_string()), (17..30, "y".to_string())]
    );
    for (text, want) in [
        (
            "{{ $value }}",
            SyntaxError::NotALabel("{{ $value }}".into()),
        ),
        (
            "{{ .Labels.x }}",
            SyntaxError::NotALabel("{{ .Labels.x }}".into()),
        ),
        (
            "{{ $labels.x | toUpper }}",
            SyntaxError::NotALabel("{{ $labels.x | toUpper }}".into()),
        ),
        (
            "{{ printf \"{{ $labels.x }}\" }}",
            SyntaxError::NotALabel("{{ printf \"{{ $labels.x }}\" }}".into()),
        ),
        ("{{{ $labels.x }}", SyntaxError::Stray(0)),
        ("x{{ $labels.x }", SyntaxError::Stray(1)),
    ] {
        assert_eq!(labels_only(text), Err(want), "{text}");
    }
    assert!(labels_only("plain } {").unwrap().is_empty());
}

/// Whatever the text, filling plain text only replaces whole placeholders:
/// with no labels given, it is the identity.
#[test]
fn filling_without_labels_changes_nothing() {
    static MARK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new("<mark class=\"placeholder\"[^>]*>|</mark>").unwrap());
    const PIECES: [&str; 9] = [
        "{{",
        "}}",
        " $labels.a ",
        "$value",
        "-",
        "{",
        "x",
        "printf \"",
        "&quot;",
    ];
    let mut seed = 0x1234_5678_9ABC_DEF1_u64;
    for _ in 0..2000 {
        let mut text = String::new();
        for _ in 0..8 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
        }
        assert_eq!(fill_text(&text, &Labels::new()), text);
        let marked = Template::parse(&text).fill(&Labels::new(), None);
        assert_eq!(MARK.replace_all(&marked, ""), text);
    }
}
