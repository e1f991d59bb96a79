use crate::api::codec::TextJson;
use crate::error::AppError;
use crate::views::{SessionUser, SignInOptions};
use leptos::prelude::*;

/// The signed-in user, or `None` for a visitor.
#[server(prefix = "/api", endpoint = "current_user", output = TextJson)]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    use crate::api::context::caller;
    match caller().await {
        Ok((_, principal)) => Ok(Some(crate::services::session::session_user(&principal))),
        Err(AppError::NotSignedIn) => Ok(None),
        Err(other) => Err(other),
    }
}

/// What the sign-in page offers (for visitors, before anyone signed in).
#[server(prefix = "/api", endpoint = "sign_in_options", output = TextJson)]
pub async fn get_sign_in_options() -> Result<SignInOptions, AppError> {
    let state = crate::api::context::state()?;
    Ok(crate::services::session::sign_in_options(&state))
}

/// Posted by the sign-in form (a plain HTML form, so it works before and without hydration):
/// answers with a redirect, back to `next` or to the form with the reason.
#[server(prefix = "/api", endpoint = "sign_in", input = crate::api::codec::PathForm, output = TextJson)]
pub async fn sign_in(email: String, password: String, next: String) -> Result<(), AppError> {
    use crate::api::context::{client_address, from_browser_form, state};
    use crate::auth::cookie;
    let state = state()?;
    let next = cookie::safe_next(&next);
    let address = client_address();
    match crate::services::session::sign_in(&state, &email, &password, address).await {
        Ok(token) => {
            let response = expect_context::<leptos_axum::ResponseOptions>();
            let value = cookie::set_session(&token, state.settings.secure_cookies);
            response.insert_header(
                http::header::SET_COOKIE,
                http::HeaderValue::from_str(&value).map_err(|_| AppError::Internal)?,
            );
            leptos_axum::redirect(&next);
            Ok(())
        }
        // A script gets the 429 and its Retry-After; a person gets the form with the reason.
        Err(refusal @ AppError::Throttled { .. }) if !from_browser_form() => Err(refusal),
        Err(
            refusal @ (AppError::Invalid(_)
            | AppError::NotPermitted(_)
            | AppError::Throttled { .. }),
        ) => {
            let reason = match refusal {
                AppError::Invalid(errors) => errors
                    .first()
                    .map(|e| e.message.clone())
                    .unwrap_or_default(),
                other => other.to_string(),
            };
            let query = [
                ("next", next.as_str()),
                ("error", reason.as_str()),
                ("email", email.as_str()),
            ]
            .map(|(k, v)| format!("{k}={}", urlencode(v)));
            leptos_axum::redirect(&format!("/sign-in?{}", query.join("&")));
            Ok(())
        }
        Err(other) => Err(other),
    }
}

#[cfg(feature = "ssr")]
fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[server(prefix = "/api", endpoint = "sign_out", output = TextJson)]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::api::context::{session_token, state};
    use crate::auth::cookie;
    let state = state()?;
    let next = crate::services::session::sign_out(&state, session_token().as_deref()).await?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.insert_header(
        http::header::SET_COOKIE,
        http::HeaderValue::from_str(&cookie::clear_session(state.settings.secure_cookies))
            .map_err(|_| AppError::Internal)?,
    );
    leptos_axum::redirect(&next);
    Ok(())
}
