//! The authorization endpoint over HTTP: `GET` starts a request, `POST` takes the sign-in, MFA and consent forms; each
//! [`Step`] becomes an HTML page or a redirect. All user-supplied text is escaped.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::authorize::{self, SESSION_COOKIE, Step};
use crate::http::{Form, Origin, Scheme, escape_html, page};
use crate::tenant::Tenant;

/// `GET /{tenant}/oauth2/v2.0/authorize`
pub async fn authorize_get(
    State(tenant): State<Arc<Tenant>>,
    Extension(Origin(origin)): Extension<Origin>,
    Extension(scheme): Extension<Scheme>,
    Path(segment): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let session_user =
        authorize::session_cookie(&headers).and_then(|s| tenant.store().sessions.get(&s).cloned());
    let step = authorize::begin(&tenant, &origin, &segment, &params, session_user.as_deref());
    render(&tenant, &segment, step, None, scheme)
}

/// `POST /{tenant}/oauth2/v2.0/authorize`: the pages' forms.
pub async fn authorize_post(
    State(tenant): State<Arc<Tenant>>,
    Extension(scheme): Extension<Scheme>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form = match Form::parse(&headers, body) {
        Ok(form) => form,
        Err(error) => {
            let step = Step::ErrorPage {
                aadsts: error.aadsts,
                message: error.description,
            };
            return render(&tenant, &segment, step, None, scheme);
        }
    };
    let (step, session) = authorize::submit(&tenant, &form);
    render(&tenant, &segment, step, session, scheme)
}

fn render(
    tenant: &Tenant,
    segment: &str,
    step: Step,
    session: Option<String>,
    scheme: Scheme,
) -> Response {
    let action = format!("/{}/oauth2/v2.0/authorize", escape_html(segment));
    let mut response = match step {
        Step::ErrorPage { aadsts, message } => {
            let body = format!(
                "<p class=\"err\">AADSTS{aadsts}: {}</p><p class=\"muted\">{}</p>",
                escape_html(&message),
                escape_html(&authorize::error_footer(tenant))
            );
            let mut response = page("Sorry, but we're having trouble signing you in", &body);
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
        Step::Redirect(location) => {
            (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
        }
        Step::SignIn {
            txn,
            login_hint,
            error,
        } => {
            let accounts: Vec<String> = tenant
                .directory()
                .users
                .iter()
                .take(8)
                .map(|u| format!("<code>{}</code>", escape_html(&u.upn)))
                .collect();
            let body = format!(
                "{error}<form method=\"post\" action=\"{action}\">\
                 <input type=\"hidden\" name=\"step\" value=\"login\"><input type=\"hidden\" name=\"txn\" value=\"{txn}\">\
                 <label for=\"username\">Email or username</label>\
                 <input type=\"text\" id=\"username\" name=\"username\" value=\"{hint}\" autocomplete=\"username\" autofocus>\
                 <label for=\"password\">Password</label>\
                 <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\">\
                 <button type=\"submit\">Sign in</button></form>\
                 <p class=\"muted\">Accounts in this tenant: {accounts}.</p>",
                error = error
                    .map(|e| format!("<p class=\"err\">{}</p>", escape_html(&e)))
                    .unwrap_or_default(),
                txn = escape_html(&txn),
                hint = escape_html(login_hint.as_deref().unwrap_or_default()),
                accounts = accounts.join(", "),
            );
            page("Sign in", &body)
        }
        Step::Mfa { txn } => {
            let body = format!(
                "<p>Approve the sign-in request on your authenticator.</p>\
                 <form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"step\" value=\"mfa\">\
                 <input type=\"hidden\" name=\"txn\" value=\"{}\">\
                 <button name=\"decision\" value=\"accept\">Approve</button>\
                 <button name=\"decision\" value=\"cancel\">Deny</button></form>",
                escape_html(&txn)
            );
            page("Approve sign in request", &body)
        }
        Step::Consent { txn, app, scopes } => {
            let items: String = scopes
                .iter()
                .map(|s| format!("<li><code>{}</code></li>", escape_html(s)))
                .collect();
            let body = format!(
                "<p><strong>{}</strong> would like to:</p><ul><li>Sign you in and keep access to data you have given it \
                 access to</li>{items}</ul>\
                 <form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"step\" value=\"consent\">\
                 <input type=\"hidden\" name=\"txn\" value=\"{}\">\
                 <button name=\"decision\" value=\"accept\">Accept</button>\
                 <button name=\"decision\" value=\"cancel\">Cancel</button></form>",
                escape_html(&app),
                escape_html(&txn)
            );
            page("Permissions requested", &body)
        }
    };
    if let Some(session) = session {
        let secure = if scheme.0 == "https" { "; Secure" } else { "" };
        if let Ok(value) =
            format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax{secure}").parse()
        {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    response
}
