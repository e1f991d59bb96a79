//! Where a custom extension's callouts go, and the rules Azure applies to each coordinate.

use serde::{Deserialize, Serialize};
use url::{Host, Url};

use super::field_error::{keys, FieldError};

pub const RESOURCE_GROUP_NAME_MAX: usize = 90;
pub const WORKFLOW_NAME_MAX: usize = 80;
pub const RESOURCE_PATH_MAX: usize = 150;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Endpoint {
    LogicApp(LogicAppEndpoint),
    Http { url: String },
}

/// Graph's `logicAppTriggerEndpointConfiguration`. The coordinates identify the workflow in
/// Azure; callouts go to `url`, the trigger's callback URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicAppEndpoint {
    pub subscription_id: String,
    pub resource_group_name: String,
    pub logic_app_workflow_name: String,
    pub url: String,
}

impl LogicAppEndpoint {
    pub fn resource_path(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Logic/workflows/{}",
            self.subscription_id, self.resource_group_name, self.logic_app_workflow_name
        )
    }
}

impl Endpoint {
    /// The address callouts are sent to.
    pub fn url(&self) -> &str {
        match self {
            Endpoint::LogicApp(logic_app) => &logic_app.url,
            Endpoint::Http { url } => url,
        }
    }

    /// Every broken rule at once, so a form can mark all its fields in one pass.
    pub fn validate(&self, allow_hosts: &[String]) -> Vec<FieldError> {
        match self {
            Endpoint::LogicApp(logic_app) => [
                validate_subscription_id(&logic_app.subscription_id),
                validate_resource_group_name(&logic_app.resource_group_name),
                validate_workflow_name(&logic_app.logic_app_workflow_name),
                validate_resource_path(logic_app),
                validate_url(keys::URL, &logic_app.url, allow_hosts).map(drop),
            ]
            .into_iter()
            .filter_map(Result::err)
            .collect(),
            Endpoint::Http { url } => validate_url(keys::URL, url, allow_hosts)
                .err()
                .into_iter()
                .collect(),
        }
    }

    /// The Custom Extensions tab's "Logic app" column. The query string is left out because a
    /// Logic App trigger URL carries its SAS signature there.
    pub fn display_target(&self) -> String {
        match self {
            Endpoint::LogicApp(logic_app) => logic_app.logic_app_workflow_name.clone(),
            Endpoint::Http { url } => match Url::parse(url) {
                Ok(parsed) => {
                    let host = parsed.host_str().unwrap_or_default();
                    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
                    let path = match parsed.path() {
                        "/" => "",
                        path => path,
                    };
                    format!("{host}{port}{path}")
                }
                Err(_) => {
                    let without_scheme = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
                    let end = without_scheme
                        .find(['?', '#'])
                        .unwrap_or(without_scheme.len());
                    without_scheme[..end].to_owned()
                }
            },
        }
    }
}

pub fn validate_subscription_id(s: &str) -> Result<(), FieldError> {
    if s.is_empty() {
        return Err(FieldError::new(
            keys::SUBSCRIPTION_ID,
            "Subscription ID is required.",
        ));
    }
    let is_guid = s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if is_guid {
        Ok(())
    } else {
        Err(FieldError::new(
            keys::SUBSCRIPTION_ID,
            "Subscription ID must be a GUID such as 00000000-0000-0000-0000-000000000000.",
        ))
    }
}

/// Azure's own rule: `\w` there is Unicode-aware, hence `is_alphanumeric` rather than ASCII.
pub fn validate_resource_group_name(s: &str) -> Result<(), FieldError> {
    let field = keys::RESOURCE_GROUP_NAME;
    if s.is_empty() {
        return Err(FieldError::new(field, "Resource group name is required."));
    }
    let length = s.chars().count();
    if length > RESOURCE_GROUP_NAME_MAX {
        return Err(FieldError::new(
            field,
            format!(
                "Resource group name is {length} characters; the limit is \
                 {RESOURCE_GROUP_NAME_MAX}."
            ),
        ));
    }
    if !s
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '(' | ')' | '-' | '.'))
    {
        return Err(FieldError::new(
            field,
            "Resource group name can only contain letters, digits, underscores, parentheses, \
             hyphens and periods.",
        ));
    }
    if s.ends_with('.') {
        return Err(FieldError::new(
            field,
            "Resource group name can't end with a period.",
        ));
    }
    Ok(())
}

pub fn validate_workflow_name(s: &str) -> Result<(), FieldError> {
    let field = keys::LOGIC_APP_WORKFLOW_NAME;
    if s.is_empty() {
        return Err(FieldError::new(field, "Workflow name is required."));
    }
    let length = s.chars().count();
    if length > WORKFLOW_NAME_MAX {
        return Err(FieldError::new(
            field,
            format!("Workflow name is {length} characters; the limit is {WORKFLOW_NAME_MAX}."),
        ));
    }
    if !s
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
    {
        return Err(FieldError::new(
            field,
            "Workflow name can only contain letters, digits, hyphens, underscores, periods and \
             parentheses.",
        ));
    }
    Ok(())
}

/// Reported against the workflow name, the input an admin is most likely to shorten.
pub fn validate_resource_path(logic_app: &LogicAppEndpoint) -> Result<(), FieldError> {
    let length = logic_app.resource_path().chars().count();
    if length > RESOURCE_PATH_MAX {
        return Err(FieldError::new(
            keys::LOGIC_APP_WORKFLOW_NAME,
            format!("Resource path is {length} characters; the limit is {RESOURCE_PATH_MAX}."),
        ));
    }
    Ok(())
}

/// A callout target. Plain http is for loopback test receivers, so it is allowed only for hosts
/// the operator lists (exact host, any case); credentials in the URL are refused because they
/// would be stored and shown in clear.
pub fn validate_url(field: &str, url: &str, allow_hosts: &[String]) -> Result<Url, FieldError> {
    if url.trim().is_empty() {
        return Err(FieldError::new(field, "URL is required."));
    }
    let parsed = Url::parse(url).map_err(|error| match error {
        // Latch is built without Unicode host tables (docs/decisions.md, "ASCII host names").
        url::ParseError::IdnaError => FieldError::new(
            field,
            "URL host must be ASCII; write an international domain name in its xn-- \
             (Punycode) form.",
        ),
        _ => FieldError::new(
            field,
            "URL must be a full address such as https://example.com/hook.",
        ),
    })?;
    let allow_listed = || {
        parsed
            .host()
            .is_some_and(|host| is_allow_listed(&host, allow_hosts))
    };
    match parsed.scheme() {
        "https" => {}
        "http" if allow_listed() => {}
        "http" => {
            return Err(FieldError::new(
                field,
                "URL must use https; http is allowed only for hosts the operator has \
                 allow-listed.",
            ))
        }
        other => {
            return Err(FieldError::new(
                field,
                format!("URL must use https; {other} is not allowed."),
            ))
        }
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(FieldError::new(
            field,
            "URL must not contain a user name or password.",
        ));
    }
    Ok(parsed)
}

fn is_allow_listed(host: &Host<&str>, allow_hosts: &[String]) -> bool {
    // IPv6 hosts print with brackets; operators may list them either way.
    let host = match host {
        Host::Ipv6(address) => address.to_string(),
        other => other.to_string(),
    };
    allow_hosts.iter().any(|allowed| {
        let allowed = allowed.trim();
        let allowed = allowed
            .strip_prefix('[')
            .and_then(|a| a.strip_suffix(']'))
            .unwrap_or(allowed);
        allowed.eq_ignore_ascii_case(&host)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBSCRIPTION: &str = "0f3c2b4e-9a1d-4c7e-8b2a-5d6e7f8a9b0c";

    fn loopback() -> Vec<String> {
        vec!["127.0.0.1".to_owned(), "localhost".to_owned()]
    }

    fn logic_app(resource_group: &str, workflow: &str) -> LogicAppEndpoint {
        LogicAppEndpoint {
            subscription_id: SUBSCRIPTION.to_owned(),
            resource_group_name: resource_group.to_owned(),
            logic_app_workflow_name: workflow.to_owned(),
            url: "https://prod-01.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=secret".to_owned(),
        }
    }

    #[test]
    fn resource_path_shape() {
        assert_eq!(
            logic_app("rg", "wf").resource_path(),
            format!(
                "/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Logic/workflows/wf"
            )
        );
    }

    #[test]
    fn subscription_id_must_be_a_guid() {
        assert_eq!(validate_subscription_id(SUBSCRIPTION), Ok(()));
        assert_eq!(
            validate_subscription_id(&SUBSCRIPTION.to_uppercase()),
            Ok(())
        );
        let error = validate_subscription_id("").unwrap_err();
        assert_eq!(error.field, "subscriptionId");
        assert_eq!(error.message, "Subscription ID is required.");
        for bad in [
            "0f3c2b4e9a1d4c7e8b2a5d6e7f8a9b0c",
            "{0f3c2b4e-9a1d-4c7e-8b2a-5d6e7f8a9b0c}",
            "0f3c2b4e-9a1d-4c7e-8b2a-5d6e7f8a9b0",
            "0f3c2b4e-9a1d-4c7e-8b2a-5d6e7f8a9b0g",
            "0f3c2b4e9-a1d-4c7e-8b2a-5d6e7f8a9b0c",
            "0f3c2b4e-9a1d-4c7e-8b2a-5d6e7f8a9bé",
        ] {
            let error = validate_subscription_id(bad).unwrap_err();
            assert_eq!(
                error.message,
                "Subscription ID must be a GUID such as 00000000-0000-0000-0000-000000000000.",
                "{bad}"
            );
        }
    }

    #[test]
    fn resource_group_name_rules() {
        assert_eq!(validate_resource_group_name(&"r".repeat(90)), Ok(()));
        let error = validate_resource_group_name(&"r".repeat(91)).unwrap_err();
        assert_eq!(error.field, "resourceGroupName");
        assert_eq!(
            error.message,
            "Resource group name is 91 characters; the limit is 90."
        );
        assert_eq!(
            validate_resource_group_name("rg-latch.")
                .unwrap_err()
                .message,
            "Resource group name can't end with a period."
        );
        assert_eq!(validate_resource_group_name("rg.latch_(dev)-1"), Ok(()));
        assert_eq!(validate_resource_group_name("ресурсы"), Ok(()));
        assert_eq!(
            validate_resource_group_name("").unwrap_err().message,
            "Resource group name is required."
        );
        for bad in ["rg latch", "rg/latch", "rg#1", "rg*"] {
            assert!(
                validate_resource_group_name(bad)
                    .unwrap_err()
                    .message
                    .starts_with("Resource group name can only contain"),
                "{bad}"
            );
        }
    }

    #[test]
    fn resource_group_length_counts_characters_not_bytes() {
        assert_eq!(validate_resource_group_name(&"é".repeat(90)), Ok(()));
        assert!(validate_resource_group_name(&"é".repeat(91)).is_err());
    }

    #[test]
    fn workflow_name_rules() {
        assert_eq!(validate_workflow_name(&"w".repeat(80)), Ok(()));
        let error = validate_workflow_name(&"w".repeat(81)).unwrap_err();
        assert_eq!(error.field, "logicAppWorkflowName");
        assert_eq!(
            error.message,
            "Workflow name is 81 characters; the limit is 80."
        );
        assert_eq!(validate_workflow_name("Sod-Check_v1.2(prod)"), Ok(()));
        assert_eq!(
            validate_workflow_name("").unwrap_err().message,
            "Workflow name is required."
        );
        for bad in ["sod check", "sod/check", "sod:check"] {
            assert!(validate_workflow_name(bad)
                .unwrap_err()
                .message
                .starts_with("Workflow name can only contain"));
        }
    }

    #[test]
    fn resource_path_limit_is_150_characters() {
        // The fixed parts and the GUID take 104 characters; the names share the other 46.
        let exact = logic_app(&"r".repeat(20), &"w".repeat(26));
        assert_eq!(exact.resource_path().chars().count(), 150);
        assert_eq!(validate_resource_path(&exact), Ok(()));

        let over = logic_app(&"r".repeat(20), &"w".repeat(27));
        assert_eq!(over.resource_path().chars().count(), 151);
        let error = validate_resource_path(&over).unwrap_err();
        assert_eq!(error.field, "logicAppWorkflowName");
        assert_eq!(
            error.message,
            "Resource path is 151 characters; the limit is 150."
        );

        let far_over = logic_app(&"r".repeat(30), &"w".repeat(29));
        assert_eq!(
            validate_resource_path(&far_over).unwrap_err().message,
            "Resource path is 163 characters; the limit is 150."
        );
    }

    #[test]
    fn https_urls_are_accepted_and_returned_parsed() {
        let url = validate_url("url", "https://example.com/hook?x=1", &[]).unwrap();
        assert_eq!(url.host_str(), Some("example.com"));
        assert!(validate_url("url", "https://localhost:8443/hook", &loopback()).is_ok());
    }

    #[test]
    fn http_only_for_allow_listed_hosts() {
        let error = validate_url("url", "http://example.com/hook", &loopback()).unwrap_err();
        assert_eq!(error.field, "url");
        assert_eq!(
            error.message,
            "URL must use https; http is allowed only for hosts the operator has allow-listed."
        );
        assert!(validate_url("url", "http://127.0.0.1:8080/hook", &[]).is_err());
        assert!(validate_url("url", "http://127.0.0.1:8080/hook", &loopback()).is_ok());
        assert!(validate_url("url", "http://LOCALHOST/hook", &loopback()).is_ok());
        assert!(validate_url("url", "http://localhost/hook", &["LocalHost".to_owned()]).is_ok());
        assert!(validate_url("url", "http://127.0.0.1.example.com/", &loopback()).is_err());
        assert!(validate_url("url", "http://localhost.example.com/", &loopback()).is_err());
        assert!(validate_url("url", "http://[::1]:8080/", &["::1".to_owned()]).is_ok());
        assert!(validate_url("url", "http://[::1]:8080/", &["[::1]".to_owned()]).is_ok());
        assert!(validate_url("url", "http://[::1]:8080/", &loopback()).is_err());
    }

    #[test]
    fn credentials_in_url_are_refused() {
        for bad in [
            "https://user:password@example.com/hook",
            "https://user@example.com/hook",
            "https://:password@example.com/hook",
            "http://user:password@localhost/hook",
        ] {
            let error = validate_url("url", bad, &loopback()).unwrap_err();
            assert_eq!(
                error.message, "URL must not contain a user name or password.",
                "{bad}"
            );
        }
    }

    #[test]
    fn other_schemes_empty_and_relative_urls_are_refused() {
        assert_eq!(
            validate_url("url", "ftp://example.com/hook", &[])
                .unwrap_err()
                .message,
            "URL must use https; ftp is not allowed."
        );
        assert_eq!(
            validate_url("url", "  ", &[]).unwrap_err().message,
            "URL is required."
        );
        for bad in ["/hook", "example.com/hook", "https://", "not a url"] {
            assert_eq!(
                validate_url("url", bad, &[]).unwrap_err().message,
                "URL must be a full address such as https://example.com/hook.",
                "{bad}"
            );
        }
    }

    #[test]
    fn hosts_are_ascii_and_punycode_names_are_accepted() {
        let error = validate_url("url", "https://bücher.example/hook", &[]).unwrap_err();
        assert_eq!(
            error.message,
            "URL host must be ASCII; write an international domain name in its xn-- (Punycode) \
             form."
        );
        let parsed = validate_url("url", "https://xn--bcher-kva.example/hook", &[]).unwrap();
        assert_eq!(parsed.host_str(), Some("xn--bcher-kva.example"));
        // Upper-case ASCII is still folded, as before.
        let parsed = validate_url("url", "https://Flows.Example.COM/hook", &[]).unwrap();
        assert_eq!(parsed.host_str(), Some("flows.example.com"));
    }

    #[test]
    fn validate_url_reports_under_the_given_field() {
        let error = validate_url("resourceId", "ftp://x", &[]).unwrap_err();
        assert_eq!(error.field, "resourceId");
    }

    #[test]
    fn endpoint_collects_every_error() {
        let endpoint = Endpoint::LogicApp(LogicAppEndpoint {
            subscription_id: "nope".to_owned(),
            resource_group_name: "rg.".to_owned(),
            logic_app_workflow_name: "w".repeat(81),
            url: "http://example.com".to_owned(),
        });
        let fields: Vec<_> = endpoint
            .validate(&loopback())
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "subscriptionId",
                "resourceGroupName",
                "logicAppWorkflowName",
                "logicAppWorkflowName",
                "url"
            ]
        );

        assert_eq!(Endpoint::LogicApp(logic_app("rg", "wf")).validate(&[]), []);

        let http = Endpoint::Http {
            url: "http://example.com".to_owned(),
        };
        let errors = http.validate(&[]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "url");
        let http = Endpoint::Http {
            url: "https://example.com".to_owned(),
        };
        assert_eq!(http.validate(&[]), []);
    }

    #[test]
    fn display_target_hides_the_query_string() {
        assert_eq!(
            Endpoint::LogicApp(logic_app("rg", "sod-check")).display_target(),
            "sod-check"
        );
        let http = |url: &str| Endpoint::Http {
            url: url.to_owned(),
        };
        assert_eq!(
            http("https://hooks.example.com/latch/in?sig=secret#x").display_target(),
            "hooks.example.com/latch/in"
        );
        assert_eq!(http("https://example.com").display_target(), "example.com");
        assert_eq!(
            http("http://localhost:8080/hook").display_target(),
            "localhost:8080/hook"
        );
        assert_eq!(http("not a url?sig=secret").display_target(), "not a url");
    }

    #[test]
    fn url_accessor() {
        assert_eq!(
            Endpoint::Http {
                url: "https://a.example/".to_owned()
            }
            .url(),
            "https://a.example/"
        );
        assert!(Endpoint::LogicApp(logic_app("rg", "wf"))
            .url()
            .ends_with("sig=secret"));
    }
}
