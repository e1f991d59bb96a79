//! Single sign-on's two routes: `/auth/oidc/start` sends the browser to the provider with the
//! flow cookie set; `/auth/oidc/callback` checks the answer (`app::oidc`), finds the person
//! (`app::directory::sso`) and starts the session. Every refusal lands on the sign-in page with
//! a plain sentence and is logged with its reason, never with a token.

use app::auth::cookie;
use app::directory::sso;
use app::oidc::{CallbackQuery, FlowCookie, FLOW_COOKIE, FLOW_LIFETIME_SECONDS};
use app::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;

pub fn routes<S>(state: AppState) -> Router<S> {
    Router::new()
        .route("/auth/oidc/start", get(start))
        .route("/auth/oidc/callback", get(callback))
        .with_state(state)
}

fn flow_cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let text = format!(
        "{FLOW_COOKIE}={value}; Path=/auth/oidc; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&text).expect("the flow cookie is base64url")
}

fn read_flow(headers: &HeaderMap) -> Option<FlowCookie> {
    FlowCookie::decode(&cookie::read(headers, FLOW_COOKIE)?)
}

/// Back to the sign-in page with a sentence for the person.
fn refused(sentence: &str, secure: bool) -> Response {
    let query: String = url::form_urlencoded::byte_serialize(sentence.as_bytes()).collect();
    let mut response = Redirect::to(&format!("/sign-in?error={query}")).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, flow_cookie("", 0, secure));
    response
}

async fn start(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(oidc) = state.oidc.as_ref() else {
        return (StatusCode::NOT_FOUND, "Single sign-on is not configured.").into_response();
    };
    let secure = state.settings.secure_cookies;
    let next = cookie::safe_next(q.get("next").map(String::as_str).unwrap_or("/"));
    match oidc.begin(&next, state.clock.now()).await {
        Ok((url, flow)) => {
            let mut response = Redirect::to(&url).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                flow_cookie(&flow.encode(), FLOW_LIFETIME_SECONDS, secure),
            );
            response
        }
        Err(refusal) => {
            tracing::warn!(reason = %refusal.reason(), "single sign-on could not start");
            refused(refusal.sentence(), secure)
        }
    }
}

async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(answer): Query<CallbackQuery>,
) -> Response {
    let Some(oidc) = state.oidc.as_ref() else {
        return (StatusCode::NOT_FOUND, "Single sign-on is not configured.").into_response();
    };
    let secure = state.settings.secure_cookies;
    let flow = read_flow(&headers);
    let who = match oidc.finish(flow.as_ref(), &answer, state.clock.now()).await {
        Ok(who) => who,
        Err(refusal) => {
            tracing::warn!(reason = %refusal.reason(), "single sign-on refused");
            return refused(refusal.sentence(), secure);
        }
    };
    match sso::sign_in(&state, &who).await {
        Ok(token) => {
            let next = flow.map(|f| f.next).unwrap_or_else(|| "/".into());
            let mut response = Redirect::to(&cookie::safe_next(&next)).into_response();
            let headers = response.headers_mut();
            headers.append(header::SET_COOKIE, flow_cookie("", 0, secure));
            headers.append(
                header::SET_COOKIE,
                HeaderValue::from_str(&cookie::set_session(&token, secure))
                    .expect("session tokens are base64url"),
            );
            response
        }
        Err(refusal) => {
            tracing::warn!(issuer = %who.issuer, subject = %who.subject, reason = %refusal, "single sign-on: no such person");
            refused(&refusal.to_string(), secure)
        }
    }
}
