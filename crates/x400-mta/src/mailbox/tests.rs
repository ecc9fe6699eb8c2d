use std::collections::HashSet;
use std::io::{Cursor, Read};

use chrono::{DateTime, Utc};

use super::*;

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

fn record(id: &str, arrival: i64) -> DeliveryRecord {
    DeliveryRecord::new(
        "C=GB;ADMD= ;PRMD=ACME;O=ACME;S=Smith",
        vec!["C=GB;ADMD= ;PRMD=ACME;S=Jones".into()],
        "22",
        format!("[C=GB;ADMD= ;PRMD=ACME]{id}"),
        at(arrival),
    )
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn deliver_then_list() {
    let root = tempfile::tempdir().unwrap();
    let mb = Mailbox::new(root.path().join("mail"));
    // Delivered out of arrival order: the listing sorts by arrival.
    let late = mb
        .deliver(
            "jones",
            &mut Cursor::new(b"second".to_vec()),
            &record("b", 200),
        )
        .unwrap();
    let early = mb
        .deliver(
            "jones",
            &mut Cursor::new(b"first!!".to_vec()),
            &record("a", 100),
        )
        .unwrap();
    let dir = root.path().join("mail/jones");
    assert_eq!(names(&dir), ["cur", "new", "tmp"]);
    assert!(names(&dir.join("tmp")).is_empty());
    assert_eq!(names(&dir.join("new")).len(), 4);

    let listed = mb.list("jones").unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].content, early);
    assert_eq!(listed[1].content, late);
    assert_eq!(listed[0].record.mts_identifier, "[C=GB;ADMD= ;PRMD=ACME]a");
    // The content length is what was written, whatever the record said.
    assert_eq!(listed[0].record.content_length, 7);
    assert_eq!(fs::read(&listed[0].content).unwrap(), b"first!!");
    assert_eq!(fs::read(&listed[1].content).unwrap(), b"second");
    // Both files share the stem; the content is `<stem>.p1` in new/.
    assert_eq!(
        early.file_name().unwrap().to_str().unwrap(),
        format!("{}.p1", listed[0].stem)
    );
    let json = fs::read_to_string(dir.join(format!("new/{}.json", listed[0].stem))).unwrap();
    assert!(
        json.contains("\"arrival_time\": \"1970-01-01T00:01:40Z\""),
        "{json}"
    );

    // Other users are untouched; a user without a mailbox has no messages.
    assert!(mb.list("smith").unwrap().is_empty());
}

#[test]
fn deliver_a_file_larger_than_a_chunk() {
    let root = tempfile::tempdir().unwrap();
    let mb = Mailbox::new(root.path().to_owned());
    let content: Vec<u8> = (0..COPY_CHUNK_LEN * 3 + 17)
        .map(|i| u8::try_from(i % 251).unwrap())
        .collect();
    let src = root.path().join("received.p1");
    fs::write(&src, &content).unwrap();
    let path = mb.deliver_file("smith", &src, &record("big", 1)).unwrap();
    assert_eq!(fs::read(path).unwrap(), content);
    let listed = mb.list("smith").unwrap();
    assert_eq!(
        listed[0].record.content_length,
        u64::try_from(content.len()).unwrap()
    );
    assert!(matches!(
        mb.deliver_file("smith", &root.path().join("missing"), &record("x", 1)),
        Err(MailboxError::Io { action: "open", .. })
    ));
}

#[test]
fn an_unfinished_delivery_is_not_listed() {
    let root = tempfile::tempdir().unwrap();
    let mb = Mailbox::new(root.path().to_owned());
    mb.deliver("smith", &mut Cursor::new(b"ok".to_vec()), &record("ok", 5))
        .unwrap();
    let dir = root.path().join("smith");
    let json = serde_json::to_vec(&record("crashed", 1)).unwrap();
    // Crashed between the two renames: the record in new/, the content still in tmp/.
    fs::write(dir.join("new/1.M1P1Q1.json"), &json).unwrap();
    fs::write(dir.join("tmp/1.M1P1Q1.p1"), b"partial").unwrap();
    // Crashed while writing: both files still in tmp/.
    fs::write(dir.join("tmp/2.M2P2Q2.p1"), b"part").unwrap();
    fs::write(dir.join("tmp/2.M2P2Q2.json"), &json).unwrap();
    // Not written by a delivery at all: a content without its record, other names.
    fs::write(dir.join("new/3.M3P3Q3.p1"), b"orphan").unwrap();
    fs::write(dir.join("new/notes.txt"), b"x").unwrap();
    fs::write(dir.join("new/.p1"), b"x").unwrap();

    let listed = mb.list("smith").unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].record.mts_identifier, "[C=GB;ADMD= ;PRMD=ACME]ok");
}

#[test]
fn bad_user_names_are_refused_and_nothing_is_written() {
    let root = tempfile::tempdir().unwrap();
    let mb = Mailbox::new(root.path().join("mail"));
    for user in ["", "..", ".", "../x", "a/b", "a b", "/etc"] {
        assert!(matches!(
            mb.deliver(user, &mut Cursor::new(b"x".to_vec()), &record("x", 1)),
            Err(MailboxError::BadUserName(_))
        ));
        assert!(matches!(mb.list(user), Err(MailboxError::BadUserName(_))));
    }
    assert!(names(root.path()).is_empty());
}

#[test]
fn a_thousand_deliveries_have_a_thousand_names() {
    let root = tempfile::tempdir().unwrap();
    let mb = Mailbox::new(root.path().to_owned());
    let mut paths = HashSet::new();
    for i in 0..1000 {
        let p = mb
            .deliver(
                "smith",
                &mut Cursor::new(i.to_string().into_bytes()),
                &record("x", 1),
            )
            .unwrap();
        assert!(paths.insert(p));
    }
    let listed = mb.list("smith").unwrap();
    assert_eq!(listed.len(), 1000);
    let stems: HashSet<&str> = listed.iter().map(|d| d.stem.as_str()).collect();
    assert_eq!(stems.len(), 1000);
    // Same arrival time: ordered by stem, and every content is there once.
    let contents: HashSet<Vec<u8>> = listed
        .iter()
        .map(|d| fs::read(&d.content).unwrap())
        .collect();
    assert_eq!(contents.len(), 1000);
}

#[test]
fn too_long_content_is_refused_and_leaves_nothing() {
    let root = tempfile::tempdir().unwrap();
    let limits = MailboxLimits {
        max_content_len: 100,
        ..MailboxLimits::default()
    };
    let mb = Mailbox::with_limits(root.path().to_owned(), limits);
    mb.deliver("smith", &mut Cursor::new(vec![0; 100]), &record("fits", 1))
        .unwrap();
    // An endless reader stops at the limit.
    let mut endless = io::repeat(7);
    assert!(matches!(
        mb.deliver("smith", &mut endless, &record("x", 1)),
        Err(MailboxError::ContentTooLong { limit: 100 })
    ));
    assert!(names(&root.path().join("smith/tmp")).is_empty());
    assert_eq!(mb.list("smith").unwrap().len(), 1);
}

/// Fails after some octets, after an interruption that must be retried.
struct Flaky {
    calls: usize,
}

impl Read for Flaky {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        match self.calls {
            1 => Err(io::ErrorKind::Interrupted.into()),
            2 => {
                buf[0] = 1;
                Ok(1)
            }
            _ => Err(io::Error::other("connection reset")),
        }
    }
}

#[test]
fn a_failing_reader_delivers_nothing() {
    let root = tempfile::tempdir().unwrap();
    let mb = Mailbox::new(root.path().to_owned());
    let e = mb
        .deliver("smith", &mut Flaky { calls: 0 }, &record("x", 1))
        .unwrap_err();
    assert!(e.to_string().contains("connection reset"), "{e}");
    assert!(names(&root.path().join("smith/tmp")).is_empty());
    assert!(names(&root.path().join("smith/new")).is_empty());
}

#[test]
fn damaged_records_of_complete_messages_are_reported() {
    let root = tempfile::tempdir().unwrap();
    let limits = MailboxLimits {
        max_record_len: 4096,
        ..MailboxLimits::default()
    };
    let mb = Mailbox::with_limits(root.path().to_owned(), limits);
    let p = mb
        .deliver("smith", &mut Cursor::new(b"x".to_vec()), &record("x", 1))
        .unwrap();
    let json = p.with_extension("json");
    fs::write(&json, b"{\"originator\":").unwrap();
    assert!(matches!(
        mb.list("smith"),
        Err(MailboxError::BadRecord { path, .. }) if path == json
    ));
    fs::write(&json, vec![b' '; 4097]).unwrap();
    assert!(matches!(
        mb.list("smith"),
        Err(MailboxError::RecordTooLong { limit: 4096, .. })
    ));
}

#[test]
fn a_listing_is_bounded() {
    let root = tempfile::tempdir().unwrap();
    let limits = MailboxLimits {
        max_listed: 3,
        ..MailboxLimits::default()
    };
    let mb = Mailbox::with_limits(root.path().to_owned(), limits);
    for i in 0..3 {
        mb.deliver("smith", &mut Cursor::new(vec![i]), &record("x", 1))
            .unwrap();
    }
    assert_eq!(mb.list("smith").unwrap().len(), 3);
    mb.deliver("smith", &mut Cursor::new(vec![4]), &record("x", 1))
        .unwrap();
    assert!(matches!(
        mb.list("smith"),
        Err(MailboxError::TooManyMessages { limit: 3, .. })
    ));
}

#[test]
fn errors_convert_to_io_errors_with_their_kind() {
    let bad: io::Error = MailboxError::BadUserName(UserNameError::Empty).into();
    assert_eq!(bad.kind(), io::ErrorKind::InvalidInput);
    let root = tempfile::tempdir().unwrap();
    let mb = Mailbox::new(root.path().to_owned());
    let missing: io::Error = mb
        .deliver_file("smith", &root.path().join("missing"), &record("x", 1))
        .unwrap_err()
        .into();
    assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    assert!(missing.to_string().starts_with("open "), "{missing}");
}

#[test]
fn a_delivery_repeated_under_its_key_gives_one_copy() {
    let root = tempfile::tempdir().unwrap();
    let mb = Mailbox::new(root.path().to_path_buf());
    // A crashed attempt left its content file in tmp/.
    let tmp = root.path().join("alice/tmp");
    fs::create_dir_all(&tmp).unwrap();
    fs::write(tmp.join("q7.0.p1"), b"half").unwrap();
    let first = mb
        .deliver_once(
            "alice",
            "q7.0",
            &mut Cursor::new(b"whole".to_vec()),
            &record("a", 1),
        )
        .unwrap();
    // The MTA crashed before it recorded the delivery, and delivers again.
    let again = mb
        .deliver_once(
            "alice",
            "q7.0",
            &mut Cursor::new(b"whole".to_vec()),
            &record("a", 1),
        )
        .unwrap();
    assert_eq!(first, again);
    let listed = mb.list("alice").unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(fs::read(&listed[0].content).unwrap(), b"whole");
    assert!(names(&tmp).is_empty(), "{:?}", names(&tmp));
    assert!(
        mb.deliver_once("alice", "../x", &mut Cursor::new(vec![]), &record("a", 1))
            .is_err()
    );
}
