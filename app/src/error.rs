//! The error type that crosses the server-function boundary and the JSON API.
//! The core's error converts into it, and its `status()` is the one place
//! where an error kind becomes an HTTP status code.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("identity required: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("payload too large: {0}")]
    TooLarge(String),
    #[error("URI too long: {0}")]
    UriTooLong(String),
    #[error("misdirected request: {0}")]
    Misdirected(String),
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl AppError {
    /// The HTTP status for this kind of error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::Conflict(_) => 409,
            AppError::TooLarge(_) => 413,
            AppError::UriTooLong(_) => 414,
            AppError::Misdirected(_) => 421,
            AppError::TooManyRequests(_) => 429,
            AppError::Unavailable(_) => 503,
            AppError::Internal(_) => 500,
            AppError::ServerFn(e) => match e {
                ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::Deserialization(_)
                | ServerFnErrorErr::MissingArg(_) => 400,
                ServerFnErrorErr::UnsupportedRequestMethod(_) => 405,
                _ => 500,
            },
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}

/// JSON body of every API error.
#[cfg(feature = "ssr")]
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// HTTP status code.
    pub status: u16,
    /// What went wrong, for a human.
    pub error: String,
}

/// Every refusal and failure of the JSON API and the server's own layers
/// answers this way: the status of its kind, the reason as JSON.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            status: status.as_u16(),
            error: self.to_string(),
        };
        (status, axum::Json(body)).into_response()
    }
}

/// The core's errors by kind; internal details go to the log, not to the
/// client.
#[cfg(feature = "ssr")]
impl From<portal_core::Error> for AppError {
    fn from(error: portal_core::Error) -> Self {
        use portal_core::Error;
        match error {
            Error::NotFound(m) => AppError::NotFound(m),
            Error::BadRequest(m) => AppError::BadRequest(m),
            Error::Unauthorized(m) => AppError::Unauthorized(m),
            Error::Forbidden(m) => AppError::Forbidden(m),
            Error::Conflict(m) => AppError::Conflict(m),
            Error::TooLarge(m) => AppError::TooLarge(m),
            Error::TooManyRequests(m) => AppError::TooManyRequests(m),
            Error::Unavailable(m) => AppError::Unavailable(m),
            Error::Upstream(m) => AppError::Unavailable(m),
            Error::Store(e) => {
                use portal_core::store::StoreError;
                match e {
                    StoreError::NotFound(m) => AppError::NotFound(m),
                    StoreError::Conflict(m) => AppError::Conflict(m),
                    StoreError::Busy(m) => {
                        tracing::warn!(error = %m, "database busy");
                        AppError::Unavailable("database busy: try again".into())
                    }
                    StoreError::Other(m) => {
                        tracing::error!(error = %m, "database error");
                        AppError::Internal("database error".into())
                    }
                }
            }
            Error::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                AppError::Internal("internal error".into())
            }
        }
    }
}
