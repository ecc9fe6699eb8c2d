//! The Prometheus endpoint (`[metrics] listen`), scraped with a plain TCP GET: the series are
//! there from the start, and the message counters move when a message goes from A to B.

use std::io::{Read as _, Write as _};

use super::{Running, WAIT, free_port, gw_ok, pair, wait_until};

/// `GET path` on `port`: the status line and the body.
fn get(port: u16, path: &str) -> (String, String) {
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(tcp, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut reply = String::new();
    tcp.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

/// The value of `series` (name and labels exactly as exposed), if it is there.
fn value(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.trim().parse().unwrap())
}

#[test]
fn metrics_endpoint_shows_counters_that_move_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb, pm) = (free_port(), free_port(), free_port());
    let metrics = format!("[metrics]\nlisten = \"127.0.0.1:{pm}\"\n");
    let (a, b) = pair(dir.path(), (pa, pb), [&metrics, ""]);
    let ma = Running::start(&a);
    let mb = Running::start(&b);
    assert!(ma.wait_log("Prometheus metrics on"), "{}", ma.log());

    let (status, before) = get(pm, "/metrics");
    assert!(status.contains(" 200 "), "{status}\n{before}");
    for series in [
        "x400_associations",
        "x400_handshakes",
        "x400_queued_messages",
        "x400_messages_total{outcome=\"submitted\"}",
        "x400_messages_total{outcome=\"relayed\"}",
        "x400_refusals_total{reason=\"wrong_password\"}",
    ] {
        assert_eq!(value(&before, series), Some(0.0), "{series}:\n{before}");
    }
    assert!(
        before.contains("x400_association_duration_seconds"),
        "{before}"
    );
    assert!(before.ends_with("# EOF\n"), "{before}");
    let (status, _) = get(pm, "/elsewhere");
    assert!(status.contains(" 404 "), "{status}");

    let body = dir.path().join("body.txt");
    std::fs::write(&body, "Hello\r\n").unwrap();
    gw_ok(&[
        "submit",
        "--config",
        ma.cfg(),
        "--from",
        "C=GB;ADMD= ;PRMD=A;S=alice",
        "--to",
        "C=GB;ADMD= ;PRMD=B;S=bob",
        body.to_str().unwrap(),
    ]);
    let relayed = || {
        let (_, now) = get(pm, "/metrics");
        value(&now, "x400_messages_total{outcome=\"relayed\"}") == Some(1.0)
    };
    assert!(wait_until(WAIT, relayed), "{}", get(pm, "/metrics").1);
    let (_, after) = get(pm, "/metrics");
    assert_eq!(
        value(&after, "x400_messages_total{outcome=\"submitted\"}"),
        Some(1.0),
        "{after}"
    );
    // A holds its association with B (bound outbound) until it is idle long enough.
    assert!(
        after.contains("x400_peer_associations{peer=\"B\",direction=\"outbound\"}"),
        "{after}"
    );
    drop(mb);
    // Once B is gone, A's association with it ends and its duration is observed.
    let ended = || {
        let (_, now) = get(pm, "/metrics");
        value(
            &now,
            "x400_association_duration_seconds_count{direction=\"outbound\"}",
        )
        .is_some_and(|n| n >= 1.0)
    };
    assert!(wait_until(WAIT, ended), "{}", get(pm, "/metrics").1);
}
