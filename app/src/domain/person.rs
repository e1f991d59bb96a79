//! The rules for a person in the directory and for the password they choose: the Users form
//! checks them in the browser, and the directory service, the command line and SCIM again.

use super::field_error::FieldError;
use serde::{Deserialize, Serialize};

/// Field keys of the Users form and the command line.
pub mod keys {
    pub const EMAIL: &str = "email";
    pub const DISPLAY_NAME: &str = "displayName";
    pub const DEPARTMENT: &str = "department";
    pub const JOB_TITLE: &str = "jobTitle";
    pub const PASSWORD: &str = "password";
    pub const CONFIRM: &str = "confirm";
}

pub const NAME_MAX: usize = 256;
pub const EMAIL_MAX: usize = 256;
pub const PASSWORD_MIN: usize = 12;
/// argon2 takes any length, but hashing megabytes on each sign-in would be a way to tire the
/// server.
pub const PASSWORD_MAX: usize = 256;

/// What an administrator types to add or change a local user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonDraft {
    pub email: String,
    pub display_name: String,
    pub department: String,
    pub job_title: String,
}

/// An e-mail address in the form a user principal name takes: one `@`, a local part and a
/// domain with a dot, no spaces. It is stored in lower case.
pub fn validate_email(email: &str) -> Result<(), FieldError> {
    let email = email.trim();
    let refuse = |rule: &str| Err(FieldError::new(keys::EMAIL, rule));
    if email.is_empty() {
        return refuse("E-mail address is required.");
    }
    if email.chars().count() > EMAIL_MAX {
        return refuse("E-mail address is longer than 256 characters.");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return refuse("E-mail address must have the form name@domain.");
    };
    let well_formed = !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !well_formed {
        return refuse("E-mail address must have the form name@domain.");
    }
    Ok(())
}

fn validate_text(key: &str, what: &str, text: &str, required: bool) -> Result<(), FieldError> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(FieldError::new(key, format!("{what} is required.")));
    }
    let length = text.chars().count();
    if length > NAME_MAX {
        return Err(FieldError::new(
            key,
            format!("{what} is {length} characters; the limit is {NAME_MAX}."),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(FieldError::new(
            key,
            format!("{what} must not contain control characters."),
        ));
    }
    Ok(())
}

/// Every rule broken by a draft, one error per field.
pub fn validate_person(draft: &PersonDraft) -> Vec<FieldError> {
    [
        validate_email(&draft.email),
        validate_text(
            keys::DISPLAY_NAME,
            "Display name",
            &draft.display_name,
            true,
        ),
        validate_text(keys::DEPARTMENT, "Department", &draft.department, false),
        validate_text(keys::JOB_TITLE, "Job title", &draft.job_title, false),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect()
}

/// A password a person chooses on a setup link: 12 to 256 characters, typed the same twice.
pub fn validate_new_password(password: &str, confirm: &str) -> Vec<FieldError> {
    let length = password.chars().count();
    let mut errors = Vec::new();
    if length < PASSWORD_MIN {
        errors.push(FieldError::new(
            keys::PASSWORD,
            format!("Password must be at least {PASSWORD_MIN} characters."),
        ));
    } else if length > PASSWORD_MAX {
        errors.push(FieldError::new(
            keys::PASSWORD,
            format!("Password must be at most {PASSWORD_MAX} characters."),
        ));
    }
    if password != confirm {
        errors.push(FieldError::new(
            keys::CONFIRM,
            "The passwords do not match.",
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_addresses() {
        for good in [
            "a@contoso.test",
            " Megan.Bowen@Contoso.com ",
            "x+y@sub.example.org",
        ] {
            assert_eq!(validate_email(good), Ok(()), "{good}");
        }
        for (bad, rule) in [
            ("", "E-mail address is required."),
            ("   ", "E-mail address is required."),
            ("megan", "E-mail address must have the form name@domain."),
            (
                "@contoso.test",
                "E-mail address must have the form name@domain.",
            ),
            ("a@", "E-mail address must have the form name@domain."),
            (
                "a@b@contoso.test",
                "E-mail address must have the form name@domain.",
            ),
            (
                "a@localhost",
                "E-mail address must have the form name@domain.",
            ),
            (
                "a b@contoso.test",
                "E-mail address must have the form name@domain.",
            ),
            (
                "a@.contoso",
                "E-mail address must have the form name@domain.",
            ),
        ] {
            let err = validate_email(bad).unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.message.as_str()),
                ("email", rule),
                "{bad:?}"
            );
        }
        let long = format!("{}@contoso.test", "a".repeat(250));
        assert!(validate_email(&long).unwrap_err().message.contains("256"));
    }

    #[test]
    fn a_person_needs_an_e_mail_and_a_name() {
        let errors = validate_person(&PersonDraft::default());
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "displayName"]);
        let ok = PersonDraft {
            email: "nestor@contoso.test".into(),
            display_name: "Nestor Wilke".into(),
            department: "Operations".into(),
            job_title: String::new(),
        };
        assert!(validate_person(&ok).is_empty());
        let long = PersonDraft {
            job_title: "x".repeat(257),
            ..ok
        };
        assert_eq!(
            validate_person(&long)[0].message,
            "Job title is 257 characters; the limit is 256."
        );
    }

    #[test]
    fn new_passwords() {
        assert!(validate_new_password("correct horse battery", "correct horse battery").is_empty());
        let short = validate_new_password("short", "short");
        assert_eq!(short[0].field, "password");
        assert!(short[0].message.contains("at least 12"));
        let mismatch = validate_new_password("correct horse battery", "correct horse");
        assert_eq!(mismatch[0].field, "confirm");
        assert!(validate_new_password(&"x".repeat(257), &"x".repeat(257))[0]
            .message
            .contains("at most 256"));
    }
}
