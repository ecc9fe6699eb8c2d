//! Local users: each a mailbox directory name and the O/R address delivered to it.

use std::collections::{BTreeMap, HashMap};

use x400_p1::mts_abstract_service::OrName;
use x400_p1::or_address_text::{self, ParseError};

use crate::routing::AddressKey;

/// The longest user name: one directory name, short enough for any file system and a log line.
pub const MAX_USER_NAME_LEN: usize = 64;

/// Why a user name cannot name a mailbox directory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UserNameError {
    /// The name is empty.
    #[error("a user name cannot be empty")]
    Empty,
    /// The name is longer than [`MAX_USER_NAME_LEN`].
    #[error("user name of {len} characters: at most {MAX_USER_NAME_LEN}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A character outside `A-Z a-z 0-9 . _ -`: a user name is one path component, never a
    /// path.
    #[error("user name {name:?}: character {character:?} is not one of A-Z a-z 0-9 . _ -")]
    BadCharacter {
        /// The name.
        name: String,
        /// The first character refused.
        character: char,
    },
    /// The name starts with `.`: it would be `.`, `..` or a hidden directory.
    #[error("user name {0:?} starts with '.'")]
    LeadingDot(String),
}

/// Checks that `name` can name a mailbox directory: 1 to [`MAX_USER_NAME_LEN`] characters of
/// `A-Z a-z 0-9 . _ -`, not starting with `.` (so never `.` or `..`).
///
/// # Errors
///
/// [`UserNameError`] saying what is wrong.
pub fn validate_user_name(name: &str) -> Result<(), UserNameError> {
    if name.is_empty() {
        return Err(UserNameError::Empty);
    }
    if name.len() > MAX_USER_NAME_LEN {
        return Err(UserNameError::TooLong { len: name.len() });
    }
    if let Some(character) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(UserNameError::BadCharacter {
            name: name.to_owned(),
            character,
        });
    }
    if name.starts_with('.') {
        return Err(UserNameError::LeadingDot(name.to_owned()));
    }
    Ok(())
}

/// Why a local user was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsersError {
    /// The user name cannot name a mailbox directory.
    #[error(transparent)]
    BadUserName(#[from] UserNameError),
    /// The address is not a valid text O/R address.
    #[error("user {user:?}: address: {error}")]
    BadAddress {
        /// The user.
        user: String,
        /// What the parser refused.
        #[source]
        error: ParseError,
    },
    /// The user is already configured.
    #[error("user {0:?} is configured twice")]
    DuplicateUser(String),
    /// Another user has the same address (equal under the routing comparison rules), so
    /// which mailbox receives it would be ambiguous.
    #[error("users {first:?} and {second:?} have the same O/R address")]
    SameAddress {
        /// The user configured first.
        first: String,
        /// The user configured second.
        second: String,
    },
}

/// The local users: user name (a mailbox directory) to O/R address, and back.
///
/// An O/R name finds its user when it is the same O/R address under the comparison rules of
/// routing ([`crate::routing::addresses_equal`]): case, leading, trailing and repeated spaces,
/// and the string type of country and domain names do not matter; the directory name of an
/// O/R name is not looked at.
#[derive(Debug, Clone, Default)]
pub struct LocalUsers {
    addresses: BTreeMap<String, OrName>,
    by_address: HashMap<AddressKey, String>,
}

impl LocalUsers {
    /// No users.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a user with the O/R address in its text form
    /// (`C=GB;ADMD= ;PRMD=ACME;O=ACME;S=Smith`).
    ///
    /// # Errors
    ///
    /// [`UsersError`]: a bad user name or address, a user added twice, or an address another
    /// user has. The table is then unchanged.
    pub fn add(&mut self, user: &str, address: &str) -> Result<(), UsersError> {
        validate_user_name(user)?;
        let name = or_address_text::parse(address).map_err(|error| UsersError::BadAddress {
            user: user.to_owned(),
            error,
        })?;
        self.add_name(user, name)
    }

    /// Adds a user with this O/R address.
    ///
    /// # Errors
    ///
    /// As [`LocalUsers::add`].
    pub fn add_name(&mut self, user: &str, address: OrName) -> Result<(), UsersError> {
        validate_user_name(user)?;
        if self.addresses.contains_key(user) {
            return Err(UsersError::DuplicateUser(user.to_owned()));
        }
        let key = AddressKey::of(&address);
        if let Some(first) = self.by_address.get(&key) {
            return Err(UsersError::SameAddress {
                first: first.clone(),
                second: user.to_owned(),
            });
        }
        self.by_address.insert(key, user.to_owned());
        self.addresses.insert(user.to_owned(), address);
        Ok(())
    }

    /// The user `name` is delivered to, if it is local.
    #[must_use]
    pub fn lookup(&self, name: &OrName) -> Option<&str> {
        self.by_address
            .get(&AddressKey::of(name))
            .map(String::as_str)
    }

    /// The O/R address of `user`.
    #[must_use]
    pub fn address(&self, user: &str) -> Option<&OrName> {
        self.addresses.get(user)
    }

    /// The users and their addresses, by user name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &OrName)> {
        self.addresses.iter().map(|(u, a)| (u.as_str(), a))
    }

    /// How many users.
    #[must_use]
    pub fn len(&self) -> usize {
        self.addresses.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use x400_p1::or_address_text::parse;

    #[test]
    fn user_names_are_one_safe_path_component() {
        for ok in [
            "smith",
            "J.Smith_2",
            "a-b",
            "x",
            &"a".repeat(MAX_USER_NAME_LEN),
        ] {
            assert_eq!(validate_user_name(ok), Ok(()), "{ok}");
        }
        assert_eq!(validate_user_name(""), Err(UserNameError::Empty));
        assert_eq!(
            validate_user_name(&"a".repeat(MAX_USER_NAME_LEN + 1)),
            Err(UserNameError::TooLong {
                len: MAX_USER_NAME_LEN + 1
            })
        );
        for (bad, c) in [
            ("a/b", '/'),
            ("../etc", '/'),
            ("a b", ' '),
            ("a\0", '\0'),
            ("é", 'é'),
            ("a\\b", '\\'),
        ] {
            assert_eq!(
                validate_user_name(bad),
                Err(UserNameError::BadCharacter {
                    name: bad.into(),
                    character: c
                })
            );
        }
        for bad in [".", "..", ".hidden"] {
            assert_eq!(
                validate_user_name(bad),
                Err(UserNameError::LeadingDot(bad.into()))
            );
        }
    }

    #[test]
    fn lookup_uses_the_routing_comparison_rules() {
        let mut users = LocalUsers::new();
        users
            .add("smith", "C=GB;ADMD= ;PRMD=ACME;O=ACME;S=Smith;G=John")
            .unwrap();
        users.add("jones", "C=GB;ADMD= ;PRMD=#42;S=Jones").unwrap();
        assert_eq!(users.len(), 2);
        let smith = parse("c=gb;admd=  ;prmd= acme;o=ACME;s=SMITH;g=john").unwrap();
        assert_eq!(users.lookup(&smith), Some("smith"));
        let jones = parse("C=GB;ADMD= ;PRMD=\"42\";S=Jones").unwrap();
        assert_eq!(users.lookup(&jones), Some("jones"));
        // Not the same address: a missing given name, another ADMD.
        for other in [
            "C=GB;ADMD= ;PRMD=ACME;O=ACME;S=Smith",
            "C=GB;ADMD=BT;PRMD=ACME;O=ACME;S=Smith;G=John",
        ] {
            assert_eq!(users.lookup(&parse(other).unwrap()), None, "{other}");
        }
        assert_eq!(
            users.address("smith"),
            Some(&parse("C=GB;ADMD= ;PRMD=ACME;O=ACME;S=Smith;G=John").unwrap())
        );
    }

    #[test]
    fn bad_and_ambiguous_users_are_refused() {
        let mut users = LocalUsers::new();
        users.add("smith", "C=GB;S=Smith").unwrap();
        assert!(matches!(
            users.add("../x", "C=GB;S=X"),
            Err(UsersError::BadUserName(UserNameError::BadCharacter { .. }))
        ));
        let e = users.add("x", "C=GB;S=X;Z=1").unwrap_err();
        assert!(matches!(e, UsersError::BadAddress { .. }));
        assert!(e.to_string().contains("`Z=1`"), "{e}");
        assert_eq!(
            users.add("smith", "C=GB;S=Other"),
            Err(UsersError::DuplicateUser("smith".into()))
        );
        assert_eq!(
            users.add("smith2", "c=gb; s=SMITH"),
            Err(UsersError::SameAddress {
                first: "smith".into(),
                second: "smith2".into()
            })
        );
        assert_eq!(users.len(), 1);
        assert_eq!(users.iter().map(|(u, _)| u).collect::<Vec<_>>(), ["smith"]);
    }
}
