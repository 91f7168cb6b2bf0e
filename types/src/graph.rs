//! An alert's expression over time, as the server draws it for the page.

use serde::{Deserialize, Serialize};

/// Ranges the graph offers, in hours.
pub const GRAPH_HOURS: [u32; 3] = [1, 6, 24];

/// The alert's expression over the last hours, drawn on the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphView {
    pub alertname: String,
    pub hours: u32,
    /// The alert's expression, when known.
    pub expr: Option<String>,
    /// What is plotted: the expression, or its side without the comparison.
    pub plotted: Option<String>,
    /// `> 0.05`, when the expression compares against a number.
    pub threshold: Option<String>,
    /// A self-contained, escaped SVG document.
    pub svg: Option<String>,
    /// Colour and label of each series drawn.
    pub legend: Vec<(String, String)>,
    /// Series the query returned (only the first few are drawn).
    pub total_series: usize,
    /// The Prometheus queried.
    pub upstream: Option<String>,
    /// Why there is no graph.
    pub error: Option<String>,
}
