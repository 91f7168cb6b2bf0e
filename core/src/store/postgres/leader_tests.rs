//! The poller election on a throwaway cluster: one of two contenders wins,
//! the winner publishes, and losing its connection hands the lock over.

use super::testdb::Cluster;
use crate::store::{Stores, Topic};

async fn open(url: &str) -> Stores {
    crate::store::open(url).await.unwrap()
}

#[tokio::test]
async fn one_contender_leads_and_the_other_takes_over_when_its_session_ends() {
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let (a, b) = (open(&url).await, open(&url).await);
    let (sa, sb) = (a.alert_snapshots().unwrap(), b.alert_snapshots().unwrap());
    let mut wake = b.changes().follow(Topic::Alerts).unwrap();

    let mut lead = sa.try_lead("a").await.unwrap().expect("a leads");
    assert!(sb.try_lead("b").await.unwrap().is_none(), "one leader");
    assert!(sb.try_lead("b").await.unwrap().is_none(), "still one");
    assert_eq!(sb.latest(None).await.unwrap(), None, "nothing published");

    // A publish wakes the follower, which reads it; a heartbeat does not
    // change the version, so a reader holding it gets no body.
    lead.heartbeat().await.unwrap();
    let v1 = lead.publish(r#"{"slots":[]}"#).await.unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), wake.changed())
        .await
        .expect("woken")
        .unwrap();
    let seen = sb.latest(None).await.unwrap().expect("published");
    assert_eq!((seen.version, seen.leader.as_str()), (v1, "a"));
    assert_eq!(seen.body.as_deref(), Some(r#"{"slots":[]}"#));
    assert!(seen.age < std::time::Duration::from_secs(5));
    lead.heartbeat().await.unwrap();
    let again = sb.latest(Some(v1)).await.unwrap().expect("published");
    assert_eq!((again.version, again.body), (v1, None));
    assert!(again.published_at >= seen.published_at);

    // The leader's session is killed (as when its process dies): the lock
    // is released, the old leader finds out, the other one takes over, and
    // versions go on growing.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let killed: i64 = sqlx::query_scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_locks
         WHERE locktype = 'advisory' AND granted",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(killed, 1, "one session holds the lock");
    assert!(lead.heartbeat().await.is_err(), "the old leader notices");
    let mut next = None;
    for _ in 0..50 {
        next = sb.try_lead("b").await.unwrap();
        if next.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut next = next.expect("b takes over");
    // Any label value is publishable, even one jsonb would refuse.
    let odd = r#"{"slots":[{"v":"a\u0000b"}]}"#;
    let v2 = next.publish(odd).await.unwrap();
    assert_eq!(v2, v1 + 1);
    let seen = sa.latest(Some(v1)).await.unwrap().expect("published");
    assert_eq!(
        (seen.leader.as_str(), seen.body.as_deref()),
        ("b", Some(odd))
    );
    assert!(sa.try_lead("a").await.unwrap().is_none(), "b leads now");

    // Dropping a leadership (a clean step-down) releases it too.
    drop(next);
    drop(lead);
    let mut taken = None;
    for _ in 0..50 {
        taken = sa.try_lead("a").await.unwrap();
        if taken.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(taken.is_some(), "a leads again");
    a.close().await;
    b.close().await;
}
