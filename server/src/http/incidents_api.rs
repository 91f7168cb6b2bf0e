//! `/api/v1/incidents…`: create, list, read, act, and a live stream of a
//! timeline; plus the Markdown postmortem at `/incidents/{id}/postmortem.md`.

use std::convert::Infallible;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use portal_types::{IncidentAction, IncidentPage, IncidentQuery, IncidentView, TimelineEvent};
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::{Stream, StreamExt};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{self, Actor};
use crate::error::{AppError, ErrorBody, Result};
use portal_core::incidents::postmortem;
use portal_core::use_cases::CreateIncident;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_incidents, create_incident))
        .routes(routes!(get_incident))
        .routes(routes!(post_event))
        .routes(routes!(stream_all))
        .routes(routes!(stream))
}

/// Open an incident. With `runbook`, its Mitigation list becomes the checklist.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents",
    request_body = CreateIncident,
    responses((status = 201, body = IncidentView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the runbook already has an open incident", body = ErrorBody)))]
pub async fn create_incident(
    State(state): State<AppState>,
    Actor(actor): Actor,
    extract::Json(create): extract::Json<CreateIncident>,
) -> Result<(StatusCode, Json<IncidentView>)> {
    let incident = state.core.incidents.open(&actor, create).await?;
    Ok((StatusCode::CREATED, Json(incident)))
}

/// Incidents, newest first, filtered by status, alert and opening time.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents",
    params(IncidentQuery),
    responses((status = 200, body = IncidentPage), (status = 400, body = ErrorBody)))]
pub async fn list_incidents(
    State(state): State<AppState>,
    query: std::result::Result<Query<IncidentQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<IncidentPage>> {
    let Query(query) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    Ok(Json(state.core.incidents.list(&query).await?))
}

/// An incident with its whole timeline and its checklist.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "incident id")),
    responses((status = 200, body = IncidentView), (status = 404, body = ErrorBody)))]
pub async fn get_incident(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<IncidentView>> {
    Ok(Json(state.core.incidents.get(id).await?))
}

/// Append one event: `{"kind": "ack"}`, `{"kind": "note", "text": …}`,
/// `{"kind": "checklist", "step": 0, "done": true}`, `severity`,
/// `link_runbook`, `resolve`, `reopen`, `check_result`.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/events", tag = "incidents",
    params(("id" = i64, Path, description = "incident id")),
    request_body = IncidentAction,
    responses((status = 201, body = TimelineEvent), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the action does not fit the incident's state", body = ErrorBody)))]
pub async fn post_event(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Actor(actor): Actor,
    extract::Json(action): extract::Json<IncidentAction>,
) -> Result<(StatusCode, Json<TimelineEvent>)> {
    let event = state.core.incidents.act(&actor, id, action).await?;
    Ok((StatusCode::CREATED, Json(event)))
}

/// Server-Sent Events: each new timeline event of the incident as an
/// `event: timeline` message with the event as JSON. A `lagged` message
/// means the viewer fell behind and should reload the incident.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/stream", tag = "incidents",
    params(("id" = i64, Path, description = "incident id")),
    responses((status = 200, content_type = "text/event-stream", description = "timeline events as they are committed"),
        (status = 404, body = ErrorBody),
        (status = 503, description = "too many streams open (`Retry-After` says when to retry)", body = ErrorBody)))]
pub async fn stream(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    parts: Parts,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    // Subscribe first, then check, so nothing committed in between is missed.
    let receiver = state.core.incidents.timeline().subscribe();
    state.core.incidents.timeline().get(id).await?;
    let slot = state.streams.open(&parts)?;
    Ok(sse(&state, receiver, Some(id), slot))
}

/// Server-Sent Events of every incident's new events (same messages as the
/// per-incident stream): how a page learns that an incident opened.
#[utoipa::path(get, path = "/api/v1/incidents/stream", tag = "incidents",
    responses((status = 200, content_type = "text/event-stream", description = "all timeline events as they are committed"),
        (status = 503, description = "too many streams open (`Retry-After` says when to retry)", body = ErrorBody)))]
pub async fn stream_all(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    let slot = state.streams.open(&parts)?;
    Ok(sse(
        &state,
        state.core.incidents.timeline().subscribe(),
        None,
        slot,
    ))
}

/// The timeline stream, ended at shutdown and holding its slot in the caps.
fn sse(
    state: &AppState,
    receiver: tokio::sync::broadcast::Receiver<TimelineEvent>,
    only: Option<i64>,
    slot: super::streams::StreamSlot,
) -> Sse<impl Stream<Item = std::result::Result<Event, Infallible>> + use<>> {
    let events = BroadcastStream::new(receiver).filter_map(move |item| match item {
        Ok(event) if only.is_none_or(|id| event.incident_id == id) => Some(Ok(Event::default()
            .event("timeline")
            .id(event.id.to_string())
            .json_data(&event)
            .unwrap_or_else(|_| Event::default().event("lagged").data("")))),
        Ok(_) => None,
        Err(BroadcastStreamRecvError::Lagged(n)) => {
            Some(Ok(Event::default().event("lagged").data(n.to_string())))
        }
    });
    let events = state.streams.bind(events, Some(slot));
    // The configured keep-alive (`sse_keepalive_secs`), as on the alert stream:
    // it must stay below the idle timeout, and it is how a gone client is noticed.
    let keepalive = state.core.alerts.keepalive();
    Sse::new(events).keep_alive(KeepAlive::new().interval(keepalive))
}

/// `GET /incidents/{id}/postmortem.md`: a Markdown postmortem draft.
pub async fn postmortem(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return AppError::NotFound(format!("no incident {id}")).into_response();
    };
    match state.core.incidents.timeline().get(id).await {
        Ok(incident) => (
            [(http::header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            postmortem::markdown(&incident),
        )
            .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}
