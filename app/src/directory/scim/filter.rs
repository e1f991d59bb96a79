//! The `filter` query parameter. IdPs use it only to find an existing resource before they
//! create one (`userName eq "…"`, `externalId eq "…"`, `displayName eq "…"`), so Latch
//! supports exactly one `ATTR eq "value"` comparison. The full RFC 7644 §3.4.2.2 grammar is
//! parsed by `scim_v2` (JSON string escapes, case-insensitive operators, URN-prefixed
//! attributes); this module narrows that AST and refuses the rest with `invalidFilter`.

use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, ParseError};

use super::{ScimError, GROUP_SCHEMA, USER_SCHEMA};

/// An attribute a filter may compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterAttribute {
    UserName,
    ExternalId,
    DisplayName,
}

impl FilterAttribute {
    /// The attribute's name as the schema spells it.
    pub fn scim_name(self) -> &'static str {
        match self {
            FilterAttribute::UserName => "userName",
            FilterAttribute::ExternalId => "externalId",
            FilterAttribute::DisplayName => "displayName",
        }
    }
}

/// What `/Users?filter=` accepts.
pub const USER_FILTER_ATTRIBUTES: [FilterAttribute; 3] = [
    FilterAttribute::UserName,
    FilterAttribute::ExternalId,
    FilterAttribute::DisplayName,
];

/// What `/Groups?filter=` accepts.
pub const GROUP_FILTER_ATTRIBUTES: [FilterAttribute; 2] =
    [FilterAttribute::DisplayName, FilterAttribute::ExternalId];

/// `attribute eq "value"`. Whether the comparison is case-exact is the store's business
/// (RFC 7643 makes `userName` and `displayName` case-insensitive, `externalId` case-exact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EqFilter {
    pub attribute: FilterAttribute,
    pub value: String,
}

/// Parses `raw` and accepts it only if it is a single `eq` on one of `allowed`.
pub fn parse_filter(raw: &str, allowed: &[FilterAttribute]) -> Result<EqFilter, ScimError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(ScimError::invalid_filter(
            "filter is empty; expected ATTR eq \"value\"",
        ));
    }
    let filter: Filter = raw
        .parse()
        .map_err(|error| ScimError::invalid_filter(syntax_detail(raw, &error)))?;
    match filter {
        Filter::Attr(AttrExp::Comparison(path, op, value)) => {
            let attribute = resolve(&path, allowed)?;
            if op != CompareOp::Eq {
                return Err(ScimError::invalid_filter(format!(
                    "filter operator \"{op}\" is not supported; only \"eq\" is"
                )));
            }
            match value {
                CompValue::Str(value) => Ok(EqFilter { attribute, value }),
                other => Err(ScimError::invalid_filter(format!(
                    "filter value for {} must be a string, got {other}",
                    attribute.scim_name()
                ))),
            }
        }
        Filter::Attr(AttrExp::Present(path)) => {
            resolve(&path, allowed)?;
            Err(ScimError::invalid_filter(
                "filter operator \"pr\" is not supported; only \"eq\" is",
            ))
        }
        Filter::And(_) | Filter::Or(_) => Err(ScimError::invalid_filter(
            "filter operators \"and\"/\"or\" are not supported; use one ATTR eq \"value\"",
        )),
        Filter::Not(_) => Err(ScimError::invalid_filter(
            "filter operator \"not\" is not supported; use one ATTR eq \"value\"",
        )),
        Filter::ValuePath(value_path) => Err(ScimError::invalid_filter(format!(
            "value filters such as \"{}[…]\" are not supported; use one ATTR eq \"value\"",
            value_path.attr
        ))),
    }
}

/// Maps a (possibly URN-prefixed) attribute path onto one of `allowed`, ignoring case.
fn resolve(path: &AttrPath, allowed: &[FilterAttribute]) -> Result<FilterAttribute, ScimError> {
    let core_schema = path.uri.as_deref().is_none_or(|uri| {
        uri.eq_ignore_ascii_case(USER_SCHEMA) || uri.eq_ignore_ascii_case(GROUP_SCHEMA)
    });
    let found = allowed
        .iter()
        .copied()
        .find(|attribute| attribute.scim_name().eq_ignore_ascii_case(&path.name));
    match found {
        Some(attribute) if core_schema && path.sub_attr.is_none() => Ok(attribute),
        _ => {
            let supported: Vec<&str> = allowed.iter().map(|a| a.scim_name()).collect();
            Err(ScimError::invalid_filter(format!(
                "filter attribute {:?} is not supported; supported: {}",
                shorten(&path.to_string()),
                supported.join(", ")
            )))
        }
    }
}

/// A one-line reason for a filter the grammar refused, with byte positions into `raw`.
fn syntax_detail(raw: &str, error: &ParseError) -> String {
    let reason = match error {
        ParseError::InvalidToken { location } => {
            match raw.get(*location..).and_then(|rest| rest.chars().next()) {
                Some('"') => format!("unterminated string starting at position {location}"),
                Some(c) => format!("unexpected character '{c}' at position {location}"),
                None => "unexpected end".to_owned(),
            }
        }
        ParseError::UnrecognizedEof { .. } => "it ends before the expression is complete".into(),
        ParseError::UnrecognizedToken {
            token: (start, token, _),
            ..
        } => format!("unexpected {:?} at position {start}", shorten(token.trim())),
        ParseError::ExtraToken {
            token: (start, token, _),
        } => format!(
            "unexpected trailing {:?} at position {start}",
            shorten(token.trim())
        ),
        ParseError::User { error } => error.to_string(),
    };
    format!("filter is not a valid SCIM filter: {reason}")
}

/// Echoes at most 100 characters of client input into a detail: enough for any real
/// attribute path, not enough to reflect a hostile filter back whole.
fn shorten(text: &str) -> String {
    const MAX: usize = 100;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::scim::ScimType;
    use FilterAttribute::*;

    #[test]
    fn accepts_supported_eq_filters() {
        let cases: &[(&str, &[FilterAttribute], FilterAttribute, &str)] = &[
            // Entra ID's lookups before it creates a user or group.
            (
                r#"userName eq "alice@contoso.com""#,
                &USER_FILTER_ATTRIBUTES,
                UserName,
                "alice@contoso.com",
            ),
            (
                r#"externalId eq "6e4a…-guid""#,
                &USER_FILTER_ATTRIBUTES,
                ExternalId,
                "6e4a…-guid",
            ),
            (
                r#"displayName eq "Sales EU""#,
                &GROUP_FILTER_ATTRIBUTES,
                DisplayName,
                "Sales EU",
            ),
            // Okta.
            (
                r#"userName eq "bob@example.org""#,
                &USER_FILTER_ATTRIBUTES,
                UserName,
                "bob@example.org",
            ),
            // Case-insensitive attribute and operator, surrounding spaces.
            (
                r#"  USERNAME EQ "x@y.z"  "#,
                &USER_FILTER_ATTRIBUTES,
                UserName,
                "x@y.z",
            ),
            (
                r#"externalid Eq "E1""#,
                &GROUP_FILTER_ATTRIBUTES,
                ExternalId,
                "E1",
            ),
            // JSON escapes in the value.
            (
                r#"displayName eq "say \"hi\" \\ \u00e9""#,
                &USER_FILTER_ATTRIBUTES,
                DisplayName,
                "say \"hi\" \\ é",
            ),
            // URN-prefixed core attribute.
            (
                r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "u@d.e""#,
                &USER_FILTER_ATTRIBUTES,
                UserName,
                "u@d.e",
            ),
            (r#"userName eq """#, &USER_FILTER_ATTRIBUTES, UserName, ""),
        ];
        for (raw, allowed, attribute, value) in cases {
            let got = parse_filter(raw, allowed).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(
                got,
                EqFilter {
                    attribute: *attribute,
                    value: (*value).to_owned()
                },
                "{raw}"
            );
        }
    }

    #[test]
    fn refuses_everything_else_naming_what_is_unsupported() {
        let cases: &[(&str, &[FilterAttribute], &str)] = &[
            ("", &USER_FILTER_ATTRIBUTES, "filter is empty"),
            (
                r#"userName co "ali""#,
                &USER_FILTER_ATTRIBUTES,
                r#"operator "co" is not supported"#,
            ),
            (
                r#"userName ne "a""#,
                &USER_FILTER_ATTRIBUTES,
                r#"operator "ne" is not supported"#,
            ),
            (
                "userName pr",
                &USER_FILTER_ATTRIBUTES,
                r#"operator "pr" is not supported"#,
            ),
            (
                r#"title eq "CEO""#,
                &USER_FILTER_ATTRIBUTES,
                r#"attribute "title" is not supported; supported: userName, externalId, displayName"#,
            ),
            (
                r#"userName eq "a""#,
                &GROUP_FILTER_ATTRIBUTES,
                r#"attribute "userName" is not supported; supported: displayName, externalId"#,
            ),
            (
                r#"name.givenName eq "A""#,
                &USER_FILTER_ATTRIBUTES,
                r#"attribute "name.givenName" is not supported"#,
            ),
            (
                r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName eq "a""#,
                &USER_FILTER_ATTRIBUTES,
                "attribute \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName\" is not supported",
            ),
            (
                r#"userName eq "a" and active eq true"#,
                &USER_FILTER_ATTRIBUTES,
                r#""and"/"or" are not supported"#,
            ),
            (
                r#"userName eq "a" or userName eq "b""#,
                &USER_FILTER_ATTRIBUTES,
                r#""and"/"or" are not supported"#,
            ),
            (
                r#"not (userName eq "a")"#,
                &USER_FILTER_ATTRIBUTES,
                r#""not" is not supported"#,
            ),
            (
                r#"emails[type eq "work"]"#,
                &USER_FILTER_ATTRIBUTES,
                r#"value filters such as "emails[…]""#,
            ),
            (
                "userName eq 42",
                &USER_FILTER_ATTRIBUTES,
                "filter value for userName must be a string, got 42",
            ),
            (
                "userName eq true",
                &USER_FILTER_ATTRIBUTES,
                "must be a string, got true",
            ),
            (
                r#"userName eq "unterminated"#,
                &USER_FILTER_ATTRIBUTES,
                "unterminated string starting at position 12",
            ),
            (
                r#"userName eq "a" garbage"#,
                &USER_FILTER_ATTRIBUTES,
                r#"unexpected "garbage" at position 16"#,
            ),
            (
                "userName eq",
                &USER_FILTER_ATTRIBUTES,
                "not a valid SCIM filter",
            ),
            (
                r#"userName = "a""#,
                &USER_FILTER_ATTRIBUTES,
                "unexpected character '=' at position 9",
            ),
            (
                r#"userName eq "bad \x escape""#,
                &USER_FILTER_ATTRIBUTES,
                "invalid comparison value",
            ),
            (
                r#"(userName eq "a""#,
                &USER_FILTER_ATTRIBUTES,
                "not a valid SCIM filter",
            ),
        ];
        for (raw, allowed, expected) in cases {
            let error = parse_filter(raw, allowed).expect_err(raw);
            assert_eq!(error.status, 400, "{raw}");
            assert_eq!(error.scim_type, Some(ScimType::InvalidFilter), "{raw}");
            assert!(error.detail.contains(expected), "{raw}: {}", error.detail);
        }
    }

    #[test]
    fn long_inputs_are_shortened_in_details() {
        let raw = format!(r#"{} eq "a""#, "a".repeat(500));
        let error = parse_filter(&raw, &USER_FILTER_ATTRIBUTES).unwrap_err();
        assert!(error.detail.len() < 200, "{}", error.detail);
        assert!(error.detail.contains('…'));
    }
}
