//! The HTTP layer's errors are the app's [`AppError`]: its `status()` is the
//! one mapping from error kind to status code, and its `IntoResponse` the one
//! JSON shape. Core errors convert into it with `?`.

pub use app::error::{AppError, ErrorBody};

pub type Result<T, E = AppError> = std::result::Result<T, E>;
