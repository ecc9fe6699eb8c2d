//! What the tests share: the vectors of `tests/data/vectors.txt`.

#![allow(dead_code, unreachable_pub)]
// Test data helpers: a missing or malformed vector is a broken test, so they panic.
#![allow(clippy::panic, clippy::unwrap_used)]

/// The vector named `name`, as octets.
pub fn vector(name: &str) -> Vec<u8> {
    let text = include_str!("../data/vectors.txt");
    let line = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no vector {name}"));
    hex(line)
}

/// Octets from hex digits (whitespace ignored).
pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(core::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}
