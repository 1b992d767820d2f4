//! The cookies of browser sessions, so that no token sits in script-readable storage:
//!
//! - `nite_refresh`: the refresh token, `HttpOnly`, sent only to `/api/v1/auth`;
//! - `nite_csrf`: the CSRF token that goes with it (an HMAC of the refresh token, see [`crate::auth::Tokens::csrf_token`]),
//!   readable by the page, which sends it back as `X-CSRF-Token` when it refreshes or signs out;
//! - `nite_order`: a guest's order token, `HttpOnly`, sent only to that order's routes.
//!
//! Every one is `Secure; SameSite=Strict`: browsers keep `Secure` cookies on `https://` and on loopback only.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};

/// The refresh token's cookie.
pub(crate) const REFRESH: &str = "nite_refresh";
/// The CSRF token's cookie.
pub(crate) const CSRF: &str = "nite_csrf";
/// A guest order token's cookie.
pub(crate) const ORDER: &str = "nite_order";
/// The header that must repeat the CSRF token on cookie-authenticated writes.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";
/// Where the refresh cookie is sent.
const AUTH_PATH: &str = "/api/v1/auth";

/// The value of cookie `name` in the request, if sent.
pub(crate) fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value.trim_matches('"')))
        .filter(|value| !value.is_empty())
}

fn cookie(name: &str, value: &str, path: &str, max_age_secs: i64, http_only: bool) -> Option<HeaderValue> {
    let http_only = if http_only { "; HttpOnly" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; Max-Age={max_age_secs}{http_only}; Secure; SameSite=Strict"
    ))
    .ok()
}

/// Sets the session cookies: the refresh token and its CSRF token, both living `max_age_secs`.
pub(crate) fn set_session(headers: &mut HeaderMap, refresh_token: &str, csrf_token: &str, max_age_secs: i64) {
    headers.extend(
        [
            cookie(REFRESH, refresh_token, AUTH_PATH, max_age_secs, true),
            cookie(CSRF, csrf_token, "/", max_age_secs, false),
        ]
        .into_iter()
        .flatten()
        .map(|v| (SET_COOKIE, v)),
    );
}

/// Removes the session cookies.
pub(crate) fn clear_session(headers: &mut HeaderMap) {
    headers.extend(
        [cookie(REFRESH, "", AUTH_PATH, 0, true), cookie(CSRF, "", "/", 0, false)]
            .into_iter()
            .flatten()
            .map(|v| (SET_COOKIE, v)),
    );
}

/// Sets a guest order's token for that order's routes only.
pub(crate) fn set_order_token(headers: &mut HeaderMap, order_id: &str, token: &str, max_age_secs: i64) {
    if let Some(value) = cookie(ORDER, token, &format!("/api/v1/orders/{order_id}"), max_age_secs, true) {
        headers.append(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_many_headers_and_pairs() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; nite_csrf=abc"));
        headers.append(COOKIE, HeaderValue::from_static("nite_refresh=\"r1\""));
        assert_eq!(get(&headers, CSRF), Some("abc"));
        assert_eq!(get(&headers, REFRESH), Some("r1"));
        assert_eq!(get(&headers, "nite"), None);
        headers.insert(COOKIE, HeaderValue::from_static("nite_csrf="));
        assert_eq!(get(&headers, CSRF), None);
    }

    #[test]
    fn session_cookies_are_secure_strict_and_the_refresh_one_http_only() {
        let mut headers = HeaderMap::new();
        set_session(&mut headers, "tok", "mac", 60);
        let set: Vec<_> = headers.get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        assert_eq!(set[0], "nite_refresh=tok; Path=/api/v1/auth; Max-Age=60; HttpOnly; Secure; SameSite=Strict");
        assert_eq!(set[1], "nite_csrf=mac; Path=/; Max-Age=60; Secure; SameSite=Strict");
    }
}
