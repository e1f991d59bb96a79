//! Issue 14: Latch killed with SIGKILL while submissions, callouts and resumes are in flight,
//! then started again on the same SQLite file (`fleet` runs the processes). Whatever was
//! answered must have been kept, and no callout instance may be resumed twice, wherever the
//! kill falls.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::Utc;
use server::rig::callouts::{self, Recorded};
use server::rig::load::{self, Answer, Target};
use server::rig::procs;

use crate::fleet::{answered, assert_all_created, resume_status, Rig, Scratch, Stored, IN_FLIGHT};

const USERS: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_load_keeps_every_answer_and_resumes_no_instance_twice() {
    let scratch = Scratch::new();
    let dir = scratch.path();
    let receiver_addr = procs::free_addr().unwrap();
    let db_url = format!("sqlite://{}", dir.join("latch.db").display());
    let endpoint = format!("http://{receiver_addr}/sod-check");
    let rig = Rig::new(dir, db_url, USERS, &endpoint, 1).await;
    let mut server = rig.start_server(0, "server").await;
    let (_receiver, callouts_url) = rig.start_receiver(receiver_addr).await;
    let token = rig.token().await;
    let target = Target {
        base: &rig.base,
        token: &token,
        policy: rig.seeded.policy,
        package: &rig.seeded.package,
    };

    // The kill waits for measured progress, not for time: a third of the requests in, resumes
    // answered, others still to be sent, callouts not yet recorded.
    let stop = Arc::new(AtomicBool::new(false));
    let submitting = load::submit(&rig.client, &target, &rig.seeded.users, IN_FLIGHT, &stop);
    let killing = async {
        let seen = rig.wait_until_in_flight(&callouts_url).await;
        stop.store(true, Ordering::Release);
        server.kill().unwrap();
        (seen, Utc::now())
    };
    let (before, (seen, killed_at)) = tokio::join!(submitting, killing);
    drop(server);
    eprintln!("crash: SIGKILL with {seen}");
    assert!(
        before
            .iter()
            .all(|p| !matches!(p.answer, Answer::Refused(_))),
        "a POST before the kill was refused: {:?}",
        before
            .iter()
            .find(|p| matches!(p.answer, Answer::Refused(_)))
    );

    // Latch stays down until the receiver has given up on every resume it had started, so
    // that some resumes fail for good, as they do in a longer outage.
    rig.wait_until_resumes_ended(&callouts_url).await;

    // Same file, same address: the receiver still resumes at the URL it was given.
    let _server = rig.start_server(0, "server-restarted").await;
    let rest = rig.not_posted(&before);
    let never = Arc::new(AtomicBool::new(false));
    let after = load::submit(&rig.client, &target, &rest, IN_FLIGHT, &never).await;
    assert_all_created(&after, "after the restart");

    // Only the dead process's jobs are left: the clock moves past their lease, and the
    // advance runs them before it answers.
    rig.take_over_after(&callouts_url, killed_at).await;

    // What the workflow does next. Resumes it gave up on while Latch was down, and callouts
    // sent again after the advance (their tokens are from the receiver's future, which it
    // rightly refuses to act on), are resumed once more; so is every one that was answered 204,
    // as by a workflow that died before it saw the answer: each is answered 204, whether it
    // applies or repeats one that already had.
    let records = callouts::callouts(&rig.client, &callouts_url)
        .await
        .unwrap();
    let (told_204, not_told): (Vec<&Recorded>, Vec<&Recorded>) =
        records.iter().partition(|r| resume_status(r) == Some(204));
    let by_hand = rig.resume_each(&token, &not_told).await;
    let again = rig.resume_each(&token, &told_204).await;
    rig.wait_until_ended().await;

    let answered = answered(&before, &after);
    let lost = before.len() + after.len() - answered.len();
    eprintln!(
        "crash: {} answered 201 ({lost} lost with the server), {} resumes answered 204 to the \
         receiver, {} resumed by the test after the restart, {} repeated",
        answered.len(),
        told_204.len(),
        by_hand.len(),
        again.len()
    );
    assert!(
        !by_hand.is_empty(),
        "no resume was left to the workflow to send again, yet resumes were under way at the \
         kill ({seen})"
    );
    let refused: Vec<_> = by_hand
        .iter()
        .chain(&again)
        .filter(|(_, status)| *status != 204)
        .collect();
    assert!(
        refused.is_empty(),
        "{} of {} resumes after the restart were not answered 204 (first resume or the same \
         again), such as {:?}",
        refused.len(),
        by_hand.len() + again.len(),
        &refused[..refused.len().min(5)]
    );
    let stored = Stored::read(&rig.db, &rig.seeded).await;
    let problems = stored.problems(&answered, &records, before.len() + after.len());
    assert!(
        problems.is_empty(),
        "after SIGKILL and restart ({seen}), {} problems:\n  {}",
        problems.len(),
        problems[..problems.len().min(20)].join("\n  ")
    );
}
