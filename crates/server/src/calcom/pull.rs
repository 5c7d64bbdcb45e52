//! The catch-up pull: Cal.com sends each webhook once, without retries, so every connected
//! company's recently changed bookings are fetched periodically and applied like webhooks. Each
//! change goes into the inbox under `pull:<uid>:<updatedAt>`, so it is applied once however many
//! processes pull.

use std::time::Duration;

use frontdesk_calcom::client::{BookingQuery, Client};
use frontdesk_calcom::wire::Booking;
use frontdesk_domain::records::{Provider, WebhookStatus};
use frontdesk_store::StoreError;
use frontdesk_store::model::{CalcomConnection, Delivery, NewWebhookEvent};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::apply::{self, Applied};
use crate::state::AppState;

/// Bookings per page, and pages per company per round.
const PAGE: u32 = 100;
const MAX_PAGES: u32 = 20;
/// Overlap with the previous pull, for clock skew between Cal.com and us.
const OVERLAP: SignedDuration = SignedDuration::from_mins(2);

/// Pulls every connected company once; returns how many changes were applied.
pub async fn round(state: &AppState) -> Result<usize, StoreError> {
    let mut applied = 0;
    for connection in state.store().calcom_connections().await? {
        match company(state, &connection).await {
            Ok(n) => applied += n,
            Err(PullError::Store(e)) => return Err(e),
            Err(PullError::Calcom(error)) => {
                tracing::warn!(company = %connection.company_id, %error, "Cal.com catch-up pull failed; trying again next round");
            }
        }
    }
    Ok(applied)
}

enum PullError {
    Store(StoreError),
    Calcom(frontdesk_calcom::client::CalError),
}

impl From<StoreError> for PullError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

async fn company(state: &AppState, connection: &CalcomConnection) -> Result<usize, PullError> {
    let directory = state.directory();
    let Some(entry) = directory.company(connection.company_id) else { return Ok(0) };
    let client = Client::new(&connection.base_url, &connection.api_key, state.settings().calcom_timeout);
    let since =
        connection.last_pulled_at.unwrap_or_else(|| Timestamp::now() - SignedDuration::from_hours(24)) - OVERLAP;
    let mut newest = connection.last_pulled_at;
    let mut applied = 0;
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let query = BookingQuery {
            after_updated_at: Some(since),
            limit: PAGE,
            cursor: cursor.take(),
            ..BookingQuery::default()
        };
        let (page, _) = client.bookings(&query).await.map_err(PullError::Calcom)?;
        for booking in &page.bookings {
            newest = newest.max(booking.updated_at);
            if apply_pulled(state, entry, booking).await? {
                applied += 1;
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    state.store().set_last_pulled(connection.company_id, newest.unwrap_or_else(Timestamp::now)).await?;
    Ok(applied)
}

async fn apply_pulled(
    state: &AppState,
    entry: &frontdesk_domain::directory::CompanyEntry,
    booking: &Booking,
) -> Result<bool, StoreError> {
    let now = Timestamp::now();
    let version = booking.updated_at.map_or_else(|| booking.status.clone(), |t| t.to_string());
    let event = NewWebhookEvent {
        provider: Provider::Calcom,
        event_type: "pull".into(),
        dedupe_key: Some(format!("pull:{}:{version}", booking.uid)),
        external_call_id: None,
        company_id: Some(entry.company.id),
        payload: json!({
            "uid": booking.uid, "status": booking.status, "start": booking.start, "end": booking.end,
            "hostId": booking.host_id, "metadata": booking.metadata, "updatedAt": booking.updated_at,
            "rescheduledFromUid": booking.rescheduled_from, "rescheduledToUid": booking.rescheduled_to,
        })
        .to_string(),
        status: WebhookStatus::Processed,
        error: None,
        at: now,
    };
    let (directory, company, booking) = (state.directory(), entry.company.id, booking.clone());
    state
        .store()
        .write(move |tx| {
            Box::pin(async move {
                // Seen before (this version of the booking): nothing is written.
                let Delivery::New(id) = tx.insert_webhook_event(&event).await? else { return Ok(false) };
                let entry = directory.company(company).ok_or(StoreError::NotFound("company"))?;
                let (status, note) = match apply::booking_state(tx, entry, &booking, now).await? {
                    Applied::Done(_) => (WebhookStatus::Processed, None),
                    Applied::Ignored(why) => (WebhookStatus::Ignored, Some(why)),
                    Applied::Failed(why) => (WebhookStatus::Failed, Some(why)),
                };
                if status != WebhookStatus::Processed {
                    tx.set_webhook_status(id, status, note.as_deref(), now).await?;
                }
                Ok(true)
            })
        })
        .await
}
