//! The small part of OData's `$filter` that Latch answers: `<property> eq '<value>'`, with the
//! property in any case and `''` for a quote inside the value. Anything else is a 400 that
//! says what is supported, never a silently unfiltered list.

use crate::rest::error::GraphError;
use serde_json::Value;

fn unsupported(property: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Query '$filter': only {property} eq '…' is supported here."
    ))
}

/// The value of `property eq 'value'`.
pub fn equals(filter: &str, property: &str) -> Result<String, GraphError> {
    let text = filter.trim();
    let rest = text
        .get(..property.len())
        .filter(|head| head.eq_ignore_ascii_case(property))
        .map(|_| &text[property.len()..])
        .filter(|rest| rest.starts_with(char::is_whitespace))
        .ok_or_else(|| unsupported(property))?;
    let rest = rest.trim_start();
    let rest = rest
        .get(..2)
        .filter(|op| op.eq_ignore_ascii_case("eq"))
        .map(|_| rest[2..].trim())
        .ok_or_else(|| unsupported(property))?;
    let quoted = rest
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .ok_or_else(|| unsupported(property))?;
    // Inside the quotes a quote is written twice; a lone one ends the literal early.
    if quoted.replace("''", "").contains('\'') {
        return Err(unsupported(property));
    }
    Ok(quoted.replace("''", "'"))
}

/// The clauses of `a and b and c`, split where `and` stands between them (not inside a quoted
/// value), each trimmed.
pub fn clauses(filter: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (bytes, mut start, mut quoted) = (filter.as_bytes(), 0, false);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            quoted = !quoted;
        } else if !quoted
            && bytes[i].is_ascii_whitespace()
            && filter
                .get(i + 1..i + 5)
                .is_some_and(|w| w.eq_ignore_ascii_case("and ") || w.eq_ignore_ascii_case("and\t"))
        {
            parts.push(filter[start..i].trim());
            i += 4;
            start = i;
        }
        i += 1;
    }
    parts.push(filter[start..].trim());
    parts
}

/// When `clause` is `property eq '…'`: its value read as an id (a 400 naming the property
/// when it is not one).
pub fn id_clause<T: std::str::FromStr>(
    clause: &str,
    property: &str,
) -> Option<Result<T, GraphError>> {
    let value = equals(clause, property).ok()?;
    Some(value.parse().map_err(|_| {
        GraphError::bad_request(format!(
            "Query '$filter': {property} {value:?} is not an id."
        ))
    }))
}

/// The 400 for a clause a list does not take, naming it and what it does take.
pub fn unsupported_clause(clause: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Query '$filter': {clause:?} is not supported; state, target/id and accessPackage/id \
         eq '…' are, joined by and."
    ))
}

/// Carries the query options that shape a list (`$filter`, `$expand`) over to its next link.
pub fn keep_in_next_link(body: &mut Value, options: &[(&str, Option<&str>)]) {
    let Some(next) = body.get("@odata.nextLink").and_then(Value::as_str) else {
        return;
    };
    let mut next = next.to_string();
    for (name, value) in options {
        if let Some(value) = value {
            let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
            next.push_str(&format!("&{name}={encoded}"));
        }
    }
    body["@odata.nextLink"] = Value::String(next);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splits_at_and_outside_quotes() {
        assert_eq!(
            clauses("state eq 'x' and target/id eq 'y'"),
            ["state eq 'x'", "target/id eq 'y'"]
        );
        assert_eq!(clauses("state eq 'a and b'"), ["state eq 'a and b'"]);
        assert_eq!(
            clauses("state eq 'o''brien and x' AND accessPackage/id eq 'p'"),
            ["state eq 'o''brien and x'", "accessPackage/id eq 'p'"]
        );
        assert_eq!(clauses("state eq 'x'"), ["state eq 'x'"]);
        assert_eq!(clauses(""), [""]);
    }

    #[test]
    fn reads_one_equality() {
        assert_eq!(
            equals("state eq 'delivered'", "state").unwrap(),
            "delivered"
        );
        assert_eq!(equals("  State EQ  'x'  ", "state").unwrap(), "x");
        assert_eq!(
            equals(
                "userPrincipalName eq 'o''brien@contoso.test'",
                "userPrincipalName"
            )
            .unwrap(),
            "o'brien@contoso.test"
        );
        assert_eq!(equals("state eq ''", "state").unwrap(), "");
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "status eq 'x'",
            "state ne 'x'",
            "state eq x",
            "state eq 'a' or state eq 'b'",
            "state eq 'a'b'",
            "stateeq 'x'",
            "",
        ] {
            let err = equals(bad, "state").unwrap_err();
            assert!(err.message.contains("'$filter'"), "{bad}: {err:?}");
        }
    }

    #[test]
    fn next_links_keep_the_filter() {
        let mut body = json!({ "@odata.nextLink": "http://x/c?$top=2&$skiptoken=2" });
        keep_in_next_link(
            &mut body,
            &[("$filter", Some("state eq 'a b'")), ("$expand", None)],
        );
        assert_eq!(
            body["@odata.nextLink"],
            "http://x/c?$top=2&$skiptoken=2&$filter=state+eq+%27a+b%27"
        );
        let mut last = json!({ "value": [] });
        keep_in_next_link(&mut last, &[("$filter", Some("x"))]);
        assert!(last.get("@odata.nextLink").is_none());
    }
}
