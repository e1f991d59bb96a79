//! One macro for the enums that travel as fixed strings (Graph wire values, database columns).
//!
//! Each gets `ALL`, `wire_name()`, a case-insensitive `parse`, `FromStr`, `Display` and serde as
//! the wire name, so a value written to the database reads back through the same table of names
//! and a misspelling in one direction can't go unnoticed in the other.

use std::fmt;

/// A string that is none of an enum's wire names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWireName {
    what: &'static str,
    names: &'static [&'static str],
    input: String,
}

impl UnknownWireName {
    pub(crate) fn new(what: &'static str, names: &'static [&'static str], input: &str) -> Self {
        Self {
            what,
            names,
            input: input.to_owned(),
        }
    }

    /// What was being read ("request state").
    pub fn what(&self) -> &'static str {
        self.what
    }

    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for UnknownWireName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a {}; expected one of {}.",
            self.input,
            self.what,
            self.names.join(", ")
        )
    }
}

impl std::error::Error for UnknownWireName {}

/// `wire_enum! { /// docs  pub enum Name("what it is") { Variant => "wireName", … } }`
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident($what:literal) {
            $($(#[$vmeta:meta])* $variant:ident => $wire:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            const NAMES: &'static [&'static str] = &[$($wire,)+];

            pub fn wire_name(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// Case-insensitive: the database and older clients don't all agree on case.
            pub fn parse(
                s: &str,
            ) -> Result<$name, $crate::domain::lifecycle::UnknownWireName> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|value| value.wire_name().eq_ignore_ascii_case(s))
                    .ok_or_else(|| {
                        $crate::domain::lifecycle::UnknownWireName::new(
                            $what,
                            $name::NAMES,
                            s,
                        )
                    })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.wire_name())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::domain::lifecycle::UnknownWireName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.wire_name())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let s = ::std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                $name::parse(&s).map_err(::serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    wire_enum! {
        /// A two-value enum to exercise the macro on its own.
        pub enum Colour("colour") {
            DarkRed => "darkRed",
            Blue => "blue",
        }
    }

    #[test]
    fn names_round_trip_and_parse_ignores_case() {
        for colour in Colour::ALL {
            assert_eq!(Colour::parse(colour.wire_name()), Ok(*colour));
        }
        assert_eq!(Colour::parse("DARKRED"), Ok(Colour::DarkRed));
        assert_eq!("Blue".parse(), Ok(Colour::Blue));
        assert_eq!(Colour::DarkRed.to_string(), "darkRed");
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let error = Colour::parse("green").unwrap_err();
        assert_eq!(error.what(), "colour");
        assert_eq!(error.input(), "green");
        assert_eq!(
            error.to_string(),
            "\"green\" is not a colour; expected one of darkRed, blue."
        );
        assert!(Colour::parse(" blue").is_err());
        assert!(Colour::parse("").is_err());
    }

    #[test]
    fn serde_uses_the_wire_name() {
        assert_eq!(
            serde_json::to_string(&Colour::DarkRed).unwrap(),
            "\"darkRed\""
        );
        let read: Colour = serde_json::from_str("\"DarkRed\"").unwrap();
        assert_eq!(read, Colour::DarkRed);
        let error = serde_json::from_str::<Colour>("\"red\"").unwrap_err();
        assert!(error.to_string().contains("is not a colour"), "{error}");
    }
}
