//! Enums whose variants have stable names: stored in the database, sent as
//! JSON, used as CSS classes. `names!` writes `ALL`, `as_str`, `Display` and
//! `FromStr` once for all of them; serde's `rename_all = "snake_case"` spells
//! the same names (each enum's test below holds the two together).

/// A stored or received name that no variant spells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownName(pub String);

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown name {:?}", self.0)
    }
}

impl std::error::Error for UnknownName {}

#[macro_export]
#[doc(hidden)]
macro_rules! names {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The variant's stable name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::UnknownName;

            fn from_str(text: &str) -> Result<$name, $crate::UnknownName> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == text)
                    .ok_or_else(|| $crate::UnknownName(text.to_string()))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::{CheckStatus, DiffKind, IncidentStatus, Origin, UpstreamKind};

    /// serde's name of every variant is its `as_str`, and parses back.
    fn agree<T>(all: &[T])
    where
        T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + std::str::FromStr,
        T: serde::Serialize + serde::de::DeserializeOwned,
        <T as std::str::FromStr>::Err: std::fmt::Debug,
    {
        for &v in all {
            let json = serde_json::to_string(&v).expect("serialises");
            assert_eq!(json, format!("\"{v}\""));
            assert_eq!(serde_json::from_str::<T>(&json).expect("deserialises"), v);
            assert_eq!(v.to_string().parse::<T>().expect("parses"), v);
        }
    }

    #[test]
    fn serde_and_as_str_spell_the_same_names() {
        agree(UpstreamKind::ALL);
        agree(CheckStatus::ALL);
        agree(IncidentStatus::ALL);
        agree(Origin::ALL);
        agree(DiffKind::ALL);
        assert!("weird".parse::<IncidentStatus>().is_err());
    }
}
