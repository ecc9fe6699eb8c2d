//! Turning what users paste into octets: plain hex, or a hex dump with offsets and an ASCII
//! column as network analysers print it.

/// Plain hex: pairs of hex digits, with any spaces, colons, dashes, commas, newlines or `0x`
/// prefixes between them.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let mut digits = Vec::new();
    let cleaned = text.replace("0x", " ").replace("0X", " ");
    for (i, c) in cleaned.chars().enumerate() {
        match c {
            c if c.is_ascii_hexdigit() => digits.push(c),
            ' ' | '\t' | '\r' | '\n' | ':' | '-' | ',' => {}
            other => return Err(format!("not a hex digit: {other:?} at character {i}")),
        }
    }
    if digits.len() % 2 != 0 {
        return Err(format!(
            "odd number of hex digits ({}): an octet is cut in half",
            digits.len()
        ));
    }
    digits
        .chunks(2)
        .map(|pair| {
            u8::from_str_radix(&pair.iter().collect::<String>(), 16).map_err(|e| e.to_string())
        })
        .collect()
}

/// An offset token: at least 4 hex digits, maybe followed by ':'.
fn offset(token: &str) -> Option<usize> {
    let t = token.strip_suffix(':').unwrap_or(token);
    (t.len() >= 4 && t.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| usize::from_str_radix(t, 16).ok())?
}

fn is_octet(token: &str) -> bool {
    token.len() == 2 && token.chars().all(|c| c.is_ascii_hexdigit())
}

/// True if `text` looks like a hex dump: its first line starts with offset 0 and more tokens.
pub fn looks_like_dump(text: &str) -> bool {
    let Some(first) = text.lines().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    let mut tokens = first.split_whitespace();
    tokens.next().and_then(offset) == Some(0) && tokens.next().is_some_and(is_octet)
}

/// A hex dump (`0000  03 00 00 16 11 e0 ...  ........`). The octets of a line are as many as
/// the next line's offset says (so the ASCII column is never mistaken for hex); the last line
/// takes the two-digit tokens that follow its offset, up to 16. Lines without an offset are
/// skipped, like text2pcap does.
pub fn parse_dump(text: &str) -> Result<Vec<u8>, String> {
    let lines: Vec<(usize, usize, Vec<&str>)> = text
        .lines()
        .enumerate()
        .filter_map(|(n, l)| {
            let mut t = l.split_whitespace();
            let off = offset(t.next()?)?;
            Some((n + 1, off, t.collect()))
        })
        .collect();
    if lines.is_empty() {
        return Err("no line of the dump starts with an offset".into());
    }
    let mut out = Vec::new();
    for (i, (line_no, off, tokens)) in lines.iter().enumerate() {
        if *off != out.len() {
            return Err(format!(
                "line {line_no}: offset {off:#x} but {:#x} octets read so far",
                out.len()
            ));
        }
        let count = match lines.get(i + 1) {
            Some((_, next, _)) if next > off => next - off,
            Some((n, next, _)) => {
                return Err(format!(
                    "line {n}: offset {next:#x} does not follow {off:#x}"
                ));
            }
            None => tokens.iter().take(16).take_while(|t| is_octet(t)).count(),
        };
        let octets = tokens
            .get(..count)
            .ok_or(format!("line {line_no}: expected {count} octets"))?;
        for t in octets {
            if !is_octet(t) {
                return Err(format!("line {line_no}: {t:?} is not an octet"));
            }
            out.push(u8::from_str_radix(t, 16).map_err(|e| e.to_string())?);
        }
    }
    Ok(out)
}

/// Hex or dump, whichever `text` is.
pub fn parse_text(text: &str) -> Result<Vec<u8>, String> {
    if looks_like_dump(text) {
        parse_dump(text)
    } else {
        parse_hex(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_with_separators() {
        assert_eq!(
            parse_hex("03 11:00-0b,0x06\nD0"),
            Ok(vec![3, 0x11, 0, 0x0b, 6, 0xd0])
        );
        assert!(parse_hex("03 1").unwrap_err().contains("odd"));
        assert!(parse_hex("03 zz").unwrap_err().contains("not a hex digit"));
    }

    #[test]
    fn dump_with_ascii_column_that_looks_like_hex() {
        // The ASCII column "ab cd" would be read as octets without the offset rule.
        let dump = "0000  03 00 00 0b 06 d0 00 01 00 02 00 ab cd 12 34 56   ab cd\n\
                    0010  de ad                                             ..\n";
        let octets = parse_dump(dump).unwrap();
        assert_eq!(octets.len(), 18);
        assert_eq!(&octets[16..], &[0xde, 0xad]);
        assert!(looks_like_dump(dump));
        assert!(!looks_like_dump("03 00 00 07 02 f0 80"));
    }

    #[test]
    fn dump_with_colon_offsets_and_short_lines() {
        let dump = "00000000: 03 00 00 07  ....\n00000004: 02 f0 80     ...\n";
        assert_eq!(parse_text(dump), Ok(vec![3, 0, 0, 7, 2, 0xf0, 0x80]));
    }

    #[test]
    fn dump_with_wrong_offset_is_an_error() {
        assert!(
            parse_dump("0000 03 00\n0004 02\n")
                .unwrap_err()
                .contains("expected 4 octets")
        );
        assert!(
            parse_dump("0000 03 00\n0001 02\n0000 01\n")
                .unwrap_err()
                .contains("does not follow")
        );
    }
}
