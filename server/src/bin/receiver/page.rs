//! The HTML page at `/`: the newest callouts with what their checks found and, with
//! auto-resume on, what became of their resume. Everything shown is escaped.

use std::fmt::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use crate::callouts::Callout;
use crate::routes::Receiver;

/// A benchmark may keep tens of thousands; a page of them all would not load.
const PAGE_ROWS: usize = 500;

pub async fn page(State(receiver): State<Receiver>) -> Response {
    let (callouts, kept) = receiver.log().newest(PAGE_ROWS);
    let mut html = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Latch sample receiver</title>\
         <style>body{font-family:sans-serif;margin:1.5rem}table{border-collapse:collapse}\
         td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}\
         .bad{color:#a00}pre{margin:0;white-space:pre-wrap}</style></head><body>\
         <h1>Callouts received</h1>",
    );
    let _ = write!(
        html,
        "<p>{kept} callout(s) (the last {} are kept), newest first{}; {} signing secret(s); \
         auto-resume {}. Reload to see new ones.</p>",
        receiver.log().keep(),
        if kept > callouts.len() {
            format!(", showing {}", callouts.len())
        } else {
            String::new()
        },
        receiver.secrets().len(),
        if receiver.resumes() { "on" } else { "off" },
    );
    html.push_str(
        "<table><thead><tr><th>Received</th><th>Path</th><th>Stage</th><th>Instance</th>\
         <th>Request</th><th>Signature</th><th>Timestamp</th><th>Token</th><th>Verified</th>\
         <th>Resume</th><th>Body</th></tr></thead><tbody>",
    );
    for callout in &callouts {
        let optional = |value: &Option<String>| escape(value.as_deref().unwrap_or("-"));
        let body = serde_json::to_string_pretty(&callout.body).unwrap_or_default();
        let _ = write!(
            html,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><details><summary>JSON</summary>\
             <pre>{}</pre></details></td></tr>",
            if callout.verified {
                ""
            } else {
                " class=\"bad\""
            },
            escape(&callout.received_at.to_rfc3339()),
            escape(&callout.path),
            optional(&callout.stage),
            optional(&callout.instance_id),
            optional(&callout.request_id),
            escape(&callout.signature),
            escape(&callout.timestamp),
            escape(&callout.token),
            if callout.verified { "yes" } else { "no" },
            escape(&resume_text(callout, receiver.resumes())),
            escape(&body),
        );
    }
    html.push_str("</tbody></table></body></html>\n");
    (
        [(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        )],
        Html(html),
    )
        .into_response()
}

/// `denied, HTTP 204 in 12 ms at …: reason`, or `pending` while a resume is due or in flight.
fn resume_text(callout: &Callout, resumes: bool) -> String {
    let Some(resume) = &callout.resume else {
        let waits = crate::resume::waits(&callout.body);
        return if resumes && waits { "pending" } else { "-" }.to_owned();
    };
    let mut text = resume.state.as_str().to_owned();
    if let Some(status) = resume.http_status {
        let _ = write!(text, ", HTTP {status}");
    }
    if let Some(latency) = resume.latency_ms {
        let _ = write!(text, " in {latency} ms");
    }
    let _ = write!(text, " at {}", resume.at.to_rfc3339());
    for detail in [&resume.reason, &resume.error].into_iter().flatten() {
        let _ = write!(text, "; {detail}");
    }
    text
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}
