//! The server's error type. Engines return it; HTTP handlers turn it into a
//! response through [`app::error::AppError`], whose `status()` is the single
//! mapping from error kind to status code.

use app::error::AppError;
use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// The portal itself is saturated (a connection or stream cap): 503.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Upstream(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for AppError {
    fn from(error: Error) -> Self {
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
            Error::Database(e) => {
                // Details go to the log, not to the client.
                tracing::error!(error = %e, "database error");
                AppError::Internal("database error".into())
            }
            Error::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                AppError::Internal("internal error".into())
            }
        }
    }
}

/// JSON body of every API error.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// HTTP status code.
    pub status: u16,
    /// What went wrong, for a human.
    pub error: String,
}

/// Render an [`AppError`] as an HTTP response; used for engine errors and for
/// request-level refusals alike.
pub fn app_error_response(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        Json(ErrorBody {
            status: status.as_u16(),
            error: error.to_string(),
        }),
    )
        .into_response()
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        app_error_response(self.into())
    }
}
