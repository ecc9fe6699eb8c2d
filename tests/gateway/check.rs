//! `check` places the errors of broken configuration files and says what would be valid.

use super::{gw, gw_ok, text};

/// `check` on `text`: fails, and its standard error has `place` and `words`.
fn check_fails(text_: &str, place: &str, words: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gateway.toml");
    std::fs::write(&path, text_).unwrap();
    let o = gw(&["check", "--config", path.to_str().unwrap()]);
    let err = text(&o.stderr);
    assert!(!o.status.success(), "check passed:\n{text_}");
    assert!(err.contains(&format!("gateway.toml:{place}: ")), "{err}");
    for w in words {
        assert!(err.contains(w), "{w:?} not in {err}");
    }
}

const GOOD: &str = "[mta]\nname = \"A\"\ndomain = \"C=GB;ADMD= ;PRMD=A\"\n\n\
                    [[listen]]\naddress = \"127.0.0.1:10102\"\n\n\
                    [[peer]]\nname = \"B\"\npassword = \"b\"\nour_password = \"a\"\n\
                    addresses = [\"127.0.0.1:10103\"]\n\n\
                    [[peer]]\nname = \"C\"\npassword = \"c\"\nour_password = \"a\"\n\
                    addresses = [\"127.0.0.1:10104\"]\n\n\
                    [[route]]\npattern = \"C=GB;PRMD=B\"\npeer = \"B\"\n";

#[test]
fn check_places_every_error_and_says_what_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, GOOD).unwrap();
    let out = gw_ok(&["check", "--config", good.to_str().unwrap()]);
    assert!(out.contains("valid"), "{out}");
    // The documented example is valid.
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/gateway/gateway.toml");
    gw_ok(&["check", "--config", example]);

    // Bad TOML: the unclosed table header, at its end.
    check_fails("[mta\nname = \"A\"\n", "1:5", &["expected `]`"]);
    // An unknown key, with the keys that would do.
    check_fails(
        &GOOD.replace("name = \"A\"", "name = \"A\"\nnmae = \"B\""),
        "3:1",
        &["unknown field `nmae`", "`name`", "`domain`"],
    );
    // A route to a peer that is not configured, with those that are.
    check_fails(
        &GOOD.replace("peer = \"B\"", "peer = \"MTA-Q\""),
        "22:8",
        &[
            "route \"C=GB;PRMD=B\" goes to peer \"MTA-Q\"",
            "configured peers: B, C",
        ],
    );
    // The same listener twice, pointing back at the first.
    check_fails(
        &GOOD.replace(
            "[[peer]]\nname = \"B\"",
            "[[listen]]\naddress = \"127.0.0.1:10102\"\n\n[[peer]]\nname = \"B\"",
        ),
        "9:11",
        &["listener 127.0.0.1:10102 is configured twice (first on line 6)"],
    );
    // A bad O/R pattern, and a bad duration, both reported by one run.
    let dir2 = tempfile::tempdir().unwrap();
    let path = dir2.path().join("gateway.toml");
    std::fs::write(
        &path,
        GOOD.replace("C=GB;PRMD=B", "C=GB;S=Smith").replace(
            "domain = \"C=GB;ADMD= ;PRMD=A\"",
            "domain = \"C=GB;ADMD= ;PRMD=A\"\nexpiry = \"soon\"",
        ),
    )
    .unwrap();
    let o = gw(&["check", "--config", path.to_str().unwrap()]);
    let err = text(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("gateway.toml:4:10: \"soon\" is not a duration"),
        "{err}"
    );
    assert!(
        err.contains("gateway.toml:22:11: \"C=GB;S=Smith\" is not a routing pattern"),
        "{err}"
    );
    assert!(err.contains("2 error(s)"), "{err}");
}
