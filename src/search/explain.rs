//! Score explanations for `--explain`: tantivy's explanation tree as indented lines.

/// Renders tantivy's score explanation as indented lines: `value  description`.
pub(crate) fn render(explanation: &tantivy::query::Explanation) -> String {
    let json: serde_json::Value =
        serde_json::from_str(&explanation.to_pretty_json()).unwrap_or_default();
    let mut out = String::new();
    render_node(&json, 0, &mut out);
    out
}

fn render_node(node: &serde_json::Value, depth: usize, out: &mut String) {
    let value = node
        .get("value")
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(0.0);
    let description = node
        .get("description")
        .and_then(|d| d.as_str())
        .unwrap_or("");
    out.push_str(&format!(
        "{}{value:.4}  {description}\n",
        "  ".repeat(depth)
    ));
    if let Some(context) = node.get("context").and_then(|c| c.as_array()) {
        for line in context.iter().filter_map(|c| c.as_str()) {
            out.push_str(&format!("{}  ({line})\n", "  ".repeat(depth)));
        }
    }
    if let Some(details) = node.get("details").and_then(|d| d.as_array()) {
        for detail in details {
            render_node(detail, depth + 1, out);
        }
    }
}
