//! The core's error type: what a use case or an engine can fail with, by
//! kind. The UI and HTTP layers map each kind to a status code in one place
//! (`app::error::AppError::status`).

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
    /// A store failed. By kind: NotFound is a 404, Conflict a 409, Busy a
    /// 503 (`Unavailable`), Other internal (`app::error::AppError::from`).
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
